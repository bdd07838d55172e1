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
    expect(def.patch(exportsOfLib, '1.12.0')).toBe(exportsOfLib);
    expect(def.files[0]?.patch(exportsOfLib, '1.12.0')).toBe(exportsOfLib);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/could not instrument @anthropic-ai\/sdk@1\.12\.0 .*it runs uninstrumented/);
  });

  it('leaves working patches alone', () => {
    const patched = { patched: true };
    const instrumentation = { _modules: [{ name: 'lib', patch: () => patched }], getModuleDefinitions: () => [] };
    guardPatches(instrumentation, { debug() {}, info() {}, warn() {}, error() {} });
    expect((instrumentation._modules[0] as { patch: (e: unknown) => unknown }).patch({})).toBe(patched);
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
