import { describe, expect, it } from 'vitest';
import { guardPatches } from '../src/instrumentation/llm-instrumentations.js';

describe('guardPatches', () => {
  it("turns a throwing patch into an uninstrumented library and one warning, never a throw out of the app's require", () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const exportsOfLib = { Anthropic: {} };
    const instrumentation = {
      _modules: [
        {
          name: '@anthropic-ai/sdk',
          patch: (e: { Anthropic: { Completions?: { prototype: unknown } } }) => {
            void (e.Anthropic.Completions as { prototype: unknown }).prototype;
            return e;
          },
          unpatch: () => undefined,
          files: [
            {
              name: 'internal.js',
              patch: () => {
                throw new Error('nope');
              },
              unpatch: () => undefined,
            },
          ],
        },
      ],
      getModuleDefinitions: () => [],
    };
    guardPatches(instrumentation, logger);
    const def = instrumentation._modules[0] as unknown as {
      patch: (e: unknown, v: string) => unknown;
      files: { patch: (e: unknown, v: string) => unknown }[];
    };
    expect(def.patch(exportsOfLib, '0.50.0')).toBe(exportsOfLib);
    expect(def.files[0]?.patch(exportsOfLib, '0.50.0')).toBe(exportsOfLib);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/could not instrument @anthropic-ai\/sdk@0\.50\.0 .*it runs uninstrumented/);
  });

  it('leaves working patches alone', () => {
    const patched = { patched: true };
    const instrumentation = { _modules: [{ name: 'lib', patch: () => patched }], getModuleDefinitions: () => [] };
    guardPatches(instrumentation, { debug() {}, info() {}, warn() {}, error() {} });
    expect((instrumentation._modules[0] as { patch: (e: unknown) => unknown }).patch({})).toBe(patched);
  });
});

describe('guardPatches: versions recorded another way', () => {
  it('leaves the Anthropic SDK from 1.0 (which traces itself) unpatched, with no warning; 0.x is patched', () => {
    const warnings: string[] = [];
    const patched: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const instrumentation = {
      _modules: [
        {
          name: '@anthropic-ai/sdk',
          patch: (e: unknown, v: string) => {
            patched.push(v);
            return e;
          },
          unpatch: () => undefined,
        },
      ],
      getModuleDefinitions: () => [],
    };
    guardPatches(instrumentation, logger);
    const def = instrumentation._modules[0] as unknown as { patch: (e: unknown, v: string) => unknown };
    for (const version of ['1.17.0', '2.0.0', '0.137.0']) def.patch({ version }, version);
    expect(patched).toEqual(['0.137.0']);
    expect(warnings).toEqual([]);
  });
});

describe('guardPatches: once per module', () => {
  it('patches the same exports once, until they are unpatched', () => {
    const calls: string[] = [];
    const instrumentation = {
      _modules: [
        {
          name: 'lib',
          patch: (e: unknown) => {
            calls.push('patch');
            return e;
          },
          unpatch: () => void calls.push('unpatch'),
        },
      ],
      getModuleDefinitions: () => [],
    };
    guardPatches(instrumentation, { debug() {}, info() {}, warn() {}, error() {} });
    const def = instrumentation._modules[0] as { patch: (e: unknown) => unknown; unpatch: (e: unknown) => unknown };
    const lib = {};
    def.patch(lib);
    def.patch(lib); // required again after being patched as preloaded: not wrapped twice
    def.unpatch(lib);
    def.unpatch(lib);
    def.patch(lib);
    def.patch({}); // another copy of the library
    expect(calls).toEqual(['patch', 'unpatch', 'patch', 'patch']);
  });
});

describe('entryIsEsModule', () => {
  it.each([
    ['an .mjs file', 'app.mjs', undefined, '', true],
    ['a .cjs file', 'app.cjs', '{"type":"module"}', '', false],
    ['a .js file of a "type": "module" package', 'app.js', '{"type":"module"}', 'require("x")', true],
    ['a .js file of a "type": "commonjs" package', 'app.js', '{"type":"commonjs"}', 'import x from "x";', false],
    ['a type-less .js file with an import statement', 'app.js', '{"name":"a"}', 'import x from "x";\nx();', true],
    ['a type-less .js file of CommonJS', 'app.js', '{"name":"a"}', '"use strict";\nconst x = require("x");', false],
  ])('%s: %s', async (_what, file, pkg, source, expected) => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { entryIsEsModule } = await import('../src/optional-require.js');
    const dir = mkdtempSync(join(tmpdir(), 'entry-'));
    if (pkg) writeFileSync(join(dir, 'package.json'), pkg);
    writeFileSync(join(dir, file), source);
    expect(entryIsEsModule(join(dir, file))).toBe(expected);
  });

  it('cannot tell without an entry (a REPL), so it may be one', async () => {
    const { entryIsEsModule } = await import('../src/optional-require.js');
    expect(entryIsEsModule('')).toBe(true);
  });
});
