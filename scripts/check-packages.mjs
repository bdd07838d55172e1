// Lints what would be published: each package is packed with `pnpm pack` (workspace: ranges become
// real ones), then publint (package.json, exports, files) and Are the Types Wrong (the .d.ts/.d.cts
// of every entry point under node10, node16 CJS/ESM and bundler resolution) check the tarball.
// Are the Types Wrong knows no custom condition, so the Web-API runtimes' conditions (`workerd`,
// `edge-light`, `worker`, `browser`) are checked here on the unpacked tarballs: TypeScript resolves
// and checks a program using `agentops` under each (`customConditions`), and esbuild bundles it for
// each with no Node.js built-in available, so an entry that imports one fails.
// Exits non-zero on any problem. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['exporter', 'agentops', 'server'];
const bin = (name) => join(root, 'node_modules', '.bin', name);
const out = mkdtempSync(join(tmpdir(), 'agentops-check-'));
const tarballs = {};
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
    tarballs[pkg] = tarball;
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
  checkConditions();
} finally {
  rmSync(out, { recursive: true, force: true });
}

/**
 * The SDK's Web-API conditions, on its packed tarballs unpacked inside the workspace (so that the
 * OpenTelemetry packages they name resolve as in an app).
 */
function checkConditions() {
  const exportsOf = JSON.parse(readFileSync(join(root, 'packages/agentops/package.json'), 'utf8')).exports['.'];
  const conditions = Object.keys(exportsOf).filter((c) => c !== 'import' && c !== 'require');
  const app = join(root, 'node_modules', '.cache', 'agentops-conditions');
  rmSync(app, { recursive: true, force: true });
  for (const [pkg, name] of [
    ['agentops', 'agentops'],
    ['exporter', '@agentops/exporter'],
  ]) {
    const dir = join(app, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', tarballs[pkg], '-C', dir, '--strip-components', '1']);
  }
  cpSync(join(root, 'test/fixtures/conditions/probe.ts'), join(app, 'probe.ts'));
  try {
    for (const condition of conditions) {
      console.log(`\n== condition ${condition}: types and a bundle with no Node.js built-ins`);
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'esnext',
            moduleResolution: 'bundler',
            customConditions: [condition],
            target: 'es2022',
            lib: ['es2022', 'dom'],
            types: [],
            strict: true,
            noEmit: true,
          },
          files: ['probe.ts'],
        }),
      );
      try {
        execFileSync(bin('tsc'), ['-p', app], { cwd: app, encoding: 'utf8' });
        execFileSync(
          bin('esbuild'),
          [
            'probe.ts',
            '--bundle',
            '--format=esm',
            '--platform=neutral',
            `--conditions=${condition}`,
            '--external:@opentelemetry/*',
            '--external:@pydantic/genai-prices',
            '--outfile=/dev/null',
            '--log-level=error',
          ],
          { cwd: app, encoding: 'utf8' },
        );
        console.log('OK');
      } catch (err) {
        process.stdout.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
        failed = true;
      }
    }
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}
if (failed) {
  console.error('\npackage checks failed');
  process.exit(1);
}
console.log('\npublint, attw and the Web-API conditions: no problems');
