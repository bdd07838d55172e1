/** Reading a client package as the app has it installed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { packageVersionOf } from '../src/optional-require.js';

const root = mkdtempSync(join(tmpdir(), 'agentops-pkg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("a file's package version is its own package's, not a nested package.json's nor the app's", () => {
  const pkg = join(root, 'node_modules', '@anthropic-ai', 'sdk');
  mkdirSync(join(pkg, 'lib', 'internal'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'app', version: '9.9.9' }));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@anthropic-ai/sdk', version: '1.17.0' }));
  // A package.json of another name between the file and its package (some packages ship one in a folder).
  writeFileSync(join(pkg, 'lib', 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(pkg, 'lib', 'internal', 'index.mjs'), '');
  expect(packageVersionOf(join(pkg, 'lib', 'internal', 'index.mjs'), '@anthropic-ai/sdk')).toBe('1.17.0');
  expect(packageVersionOf(join(pkg, 'lib', 'internal', 'index.mjs'), 'openai')).toBeUndefined();
});

it('finds every copy of a package the app has required, and only those (none is loaded to find out)', async () => {
  const { createRequire } = await import('node:module');
  const { loadedCopies } = await import('../src/optional-require.js');
  const copy = (where: string, version: string) => {
    const dir = join(root, where, 'node_modules', '@scope', 'fake-client');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: '@scope/fake-client', version, main: 'lib/index.js' }),
    );
    writeFileSync(join(dir, 'lib', 'index.js'), `module.exports = { version: '${version}' };`);
    writeFileSync(join(dir, 'lib', 'other.js'), 'module.exports = {};');
    return createRequire(join(root, where, 'app.js'));
  };
  const one = copy('app-one', '1.0.0');
  const two = copy('packages/two', '2.0.0');
  copy('never-required', '3.0.0');
  expect(loadedCopies('@scope/fake-client', '@scope/fake-client')).toEqual([]);
  one('@scope/fake-client');
  two('@scope/fake-client/lib/other.js'); // a file of the copy, not its entry
  expect(loadedCopies('@scope/fake-client', '@scope/fake-client').map((c) => c.exports)).toEqual([
    { version: '1.0.0' },
  ]);
  two('@scope/fake-client');
  expect(
    loadedCopies('@scope/fake-client', '@scope/fake-client')
      .map((c) => (c.exports as { version: string }).version)
      .sort(),
  ).toEqual(['1.0.0', '2.0.0']);
});
