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
