// Rewrites a copy of the workspace onto the OpenTelemetry 3.x line: every pinned 2.x version in the
// workspace's package.json files becomes the 3.x one of versions.json (null removes the package).
// The benchmarks stay on the 2.x line (they compare with sdk-trace-node, which 3.x no longer has).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) throw new Error('usage: node use-line.mjs <workspace copy>');
const versions = JSON.parse(readFileSync(new URL('./versions.json', import.meta.url), 'utf8'));
delete versions['//'];

const manifests = ['', 'packages/agentops', 'packages/exporter', 'packages/server', 'test', 'examples'].map((dir) =>
  join(root, dir, 'package.json'),
);
for (const file of manifests) {
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    const deps = manifest[field];
    if (!deps) continue;
    for (const name of Object.keys(deps)) {
      if (!(name in versions) || deps[name].startsWith('workspace:')) continue;
      if (versions[name] === null) delete deps[name];
      else deps[name] = versions[name];
    }
  }
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
const workspace = join(root, 'pnpm-workspace.yaml');
writeFileSync(workspace, readFileSync(workspace, 'utf8').replace(/^ {2}- bench\n/m, ''));
console.log(`OpenTelemetry 3.x line written into ${manifests.length} manifests under ${root}`);
