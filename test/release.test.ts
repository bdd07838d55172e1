/**
 * `pnpm release`, as the README gives it: the three packages packed as tarballs an app installs,
 * at a version no other published artifact has, and the exact npm command that installs them.
 * (Installing such tarballs into a fresh app and running it is test/packed-install.e2e.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'agentops-release-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const versionOf = (pkg: string) =>
  JSON.parse(readFileSync(join(repo, 'packages', pkg, 'package.json'), 'utf8')).version as string;

it('packs the SDK, the exporter and the server, and prints the command that installs them', async () => {
  const { stdout } = await run('pnpm', ['release', '--out', out], { cwd: repo });
  const version = versionOf('agentops');
  // One version for the three, above the registry's other agentops package (0.1.0).
  expect(['exporter', 'server'].map(versionOf)).toEqual([version, version]);
  expect(version).not.toBe('0.1.0');
  expect(readdirSync(out).sort()).toEqual([
    `agentops-${version}.tgz`,
    `agentops-exporter-${version}.tgz`,
    `agentops-server-${version}.tgz`,
  ]);
  expect(stdout).toContain(
    `npm install ${join(out, `agentops-${version}.tgz`)} ${join(out, `agentops-exporter-${version}.tgz`)}`,
  );
  // No source maps are shipped (unminified code; they were two thirds of the unpacked size).
  for (const tarball of readdirSync(out)) {
    const { stdout: files } = await run('tar', ['-tzf', join(out, tarball)]);
    expect(files.split('\n').filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files).toContain('package/dist/index.js');
  }
  // The SDK's tarball names the exporter at that version, not the workspace's range.
  const { stdout: manifest } = await run('tar', [
    '-xzOf',
    join(out, `agentops-${version}.tgz`),
    'package/package.json',
  ]);
  expect(JSON.parse(manifest).dependencies['@agentops/exporter']).toBe(`^${version}`);
});
