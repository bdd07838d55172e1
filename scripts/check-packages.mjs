// Lints what would be published: each package is packed with `pnpm pack` (workspace: ranges become
// real ones), then publint (package.json, exports, files) and Are the Types Wrong (the .d.ts/.d.cts
// of every entry point under node10, node16 CJS/ESM and bundler resolution) check the tarball.
// Exits non-zero on any problem. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['exporter', 'agentops', 'server'];
const bin = (name) => join(root, 'node_modules', '.bin', name);
const out = mkdtempSync(join(tmpdir(), 'agentops-check-'));
let failed = false;
try {
  for (const pkg of packages) {
    const dir = join(root, 'packages', pkg);
    const before = new Set(readdirSync(out));
    execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: 'ignore' });
    const tarball = join(
      out,
      readdirSync(out).find((f) => !before.has(f)),
    );
    for (const [tool, args] of [
      ['publint', ['run', tarball, '--strict']],
      ['attw', [tarball, '--format', 'table-flipped', '--no-emoji', '--no-color']],
    ]) {
      console.log(`\n== ${tool} packages/${pkg}`);
      try {
        process.stdout.write(execFileSync(bin(tool), args, { cwd: dir, encoding: 'utf8' }));
      } catch (err) {
        process.stdout.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
        failed = true;
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed) {
  console.error('\npackage checks failed');
  process.exit(1);
}
console.log('\npublint and attw: no problems');
