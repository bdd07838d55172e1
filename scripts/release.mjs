// `pnpm release`: builds the three packages and packs them as the tarballs an app installs today
// (they are not on the npm registry: its `agentops` is another package, see the README). Writes
// them to ./release (or `--out <dir>`) and prints the command that installs them into an app.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = resolve(at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : join(root, 'release'));

const PACKAGES = ['exporter', 'agentops', 'server'];

/** The newest modification time of the files under `dir`, in ms (0 when it does not exist). */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(pkg) {
  try {
    return statSync(join(root, 'packages', pkg, 'dist', 'index.js')).mtimeMs;
  } catch {
    return 0;
  }
}

// Built first only when a source is newer than a build (a build takes seconds, and cleans dist/).
const sources = Math.max(...PACKAGES.map((p) => newest(join(root, 'packages', p, 'src'))));
if (Math.min(...PACKAGES.map(builtAt)) < sources) {
  execFileSync('pnpm', ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
mkdirSync(out, { recursive: true });
const tarballs = [];
for (const pkg of PACKAGES) {
  const dir = join(root, 'packages', pkg);
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = `${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
  rmSync(join(out, file), { force: true });
  const before = new Set(readdirSync(out));
  // pnpm pack turns the workspace: ranges into the packages' real versions.
  execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: 'ignore' });
  const made = readdirSync(out).find((f) => !before.has(f));
  if (made !== file) throw new Error(`pnpm pack made ${made ?? 'nothing'}, not ${file}`);
  tarballs.push({ name, version, path: join(out, file) });
}
const shown = (p) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : `./${r}`;
};
for (const t of tarballs) console.log(`${t.name}@${t.version}  ${shown(t.path)}`);
const [exporter, sdk, server] = tarballs;
console.log('\nIn your app (the SDK and the exporter it depends on, in one command):');
console.log(`  npm install ${shown(sdk.path)} ${shown(exporter.path)}`);
console.log('The local server (optional):');
console.log(`  npm install ${shown(server.path)} ${shown(exporter.path)}`);
