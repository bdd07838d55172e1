/** The one loader of the client instrumentations, over a fake client row and the real InstrumentationBase. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { createClientInstrumentation, type RealInstrumentation } from '../src/instrumentation/client-loader.js';
import { CLIENTS, type ClientSpec, inVersions, recordedOtherwise } from '../src/instrumentation/clients.js';

const base = await import('@opentelemetry/instrumentation');

function recordingLogger() {
  const lines: string[] = [];
  const logger = {
    debug: (m: string) => lines.push(`debug ${m}`),
    info: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  };
  return { lines, logger };
}

/** A real instrumentation stand-in: its definitions come from `getModuleDefinitions()`, as the real ones' do. */
function fakeReal(calls: string[], patch?: (e: unknown) => unknown): RealInstrumentation & { provider?: unknown } {
  const real: RealInstrumentation & { provider?: unknown } = {
    getModuleDefinitions: () => [
      { name: 'some-other-module', patch: () => calls.push('wrong definition') },
      {
        name: 'fake-client',
        patch:
          patch ??
          ((e: { name: string }, v?: string) => {
            calls.push(`patch ${e.name}@${v}`);
            return e;
          }),
        unpatch: (e: { name: string }) => calls.push(`unpatch ${e.name}`),
      },
    ],
    setTracerProvider: (p) => {
      real.provider = p;
    },
  };
  return real;
}

const spec = (over: Partial<ClientSpec> = {}): ClientSpec => ({
  package: 'fake-client',
  versions: { from: '1.2.0', belowMajor: 3 },
  instrumentation: '@scope/fake-instrumentation',
  create: () => undefined,
  ...over,
});

describe('the client loader', () => {
  it('builds the real instrumentation only when the client is first patched, once, on the tracer provider it was given; disable() unpatches', () => {
    const calls: string[] = [];
    let created = 0;
    let real: ReturnType<typeof fakeReal> | undefined;
    const { logger } = recordingLogger();
    const loader = createClientInstrumentation(
      base,
      spec({
        create: () => {
          created++;
          // Building it requires the client again (OpenInference's Bedrock one does): the patch under way covers it.
          loader.manuallyInstrument(cjs, '2.0.0');
          real = fakeReal(calls);
          return real;
        },
      }),
      { captureContent: true, logger },
    );
    const provider = { getTracer: () => ({}) } as never;
    loader.setTracerProvider(provider);
    const cjs = { name: 'cjs' };
    expect(created).toBe(0);
    loader.manuallyInstrument(cjs, '2.0.0');
    loader.manuallyInstrument(cjs, '2.0.0'); // reached again (the require cache, then the hook): once
    loader.manuallyInstrument({ name: 'esm' }, '2.0.0');
    expect(created).toBe(1);
    expect(real?.provider).toBe(provider);
    expect(calls).toEqual(['patch cjs@2.0.0', 'patch esm@2.0.0']);
    loader.disable();
    expect(calls.slice(2).sort()).toEqual(['unpatch cjs', 'unpatch esm']);
    loader.manuallyInstrument(cjs, '2.0.0'); // unpatched, so patched again
    expect(calls.at(-1)).toBe('patch cjs@2.0.0');
  });

  it('says once, by name and version, a client outside its versions, and leaves it alone', () => {
    const calls: string[] = [];
    const { lines, logger } = recordingLogger();
    const loader = createClientInstrumentation(base, spec({ create: () => fakeReal(calls) }), {
      captureContent: true,
      logger,
    });
    for (const v of ['3.0.0', '3.0.0', '1.1.9']) loader.manuallyInstrument({ name: v }, v);
    expect(calls).toEqual([]);
    expect(lines).toEqual([
      'warn fake-client@3.0.0 is not a version AgentOps records (>=1.2.0 <3); it runs uninstrumented.',
      'warn fake-client@1.1.9 is not a version AgentOps records (>=1.2.0 <3); it runs uninstrumented.',
    ]);
  });

  it('turns a throwing patch or a missing instrumentation into one warning, never a throw out of the app', () => {
    const { lines, logger } = recordingLogger();
    const throwing = createClientInstrumentation(
      base,
      spec({
        create: () =>
          fakeReal([], (e) => {
            void (e as { Missing: { prototype: unknown } }).Missing.prototype;
          }),
      }),
      { captureContent: true, logger },
    );
    expect(() => throwing.manuallyInstrument({}, '2.1.0')).not.toThrow();
    throwing.manuallyInstrument({}, '2.1.0');
    const missing = createClientInstrumentation(base, spec(), { captureContent: true, logger });
    expect(() => missing.manuallyInstrument({}, '2.1.0')).not.toThrow();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^warn could not instrument fake-client@2\.1\.0 \(TypeError: .*\); it runs uninstrumented\.$/,
    );
    expect(lines[1]).toBe(
      'warn could not instrument fake-client@2.1.0 (Error: @scope/fake-instrumentation could not be loaded); it runs uninstrumented.',
    );
  });

  it('leaves the Anthropic SDK from 1.0 (which traces itself) unpatched, with no warning; 0.x is patched', () => {
    const calls: string[] = [];
    const { lines, logger } = recordingLogger();
    const anthropic = CLIENTS.find((c) => c.package === '@anthropic-ai/sdk') as ClientSpec;
    const loader = createClientInstrumentation(
      base,
      { ...anthropic, package: 'fake-client', create: () => fakeReal(calls) },
      { captureContent: true, logger },
    );
    for (const v of ['1.17.0', '2.0.0', '0.137.0']) loader.manuallyInstrument({ name: v }, v);
    expect(calls).toEqual(['patch 0.137.0@0.137.0']);
    expect(lines.filter((l) => !l.startsWith('debug'))).toEqual([]);
  });
});

describe('the client table', () => {
  it('gives each client its versions, prereleases as their release', () => {
    const openai = CLIENTS.find((c) => c.package === 'openai') as ClientSpec;
    expect(['4.19.0', '4.100.2', '6.30.1', '7.60.0', '7.0.0-beta.1'].map((v) => inVersions(openai, v))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['4.18.9', '3.3.0', '8.0.0', '0.1.0'].map((v) => inVersions(openai, v))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const anthropic = CLIENTS.find((c) => c.package === '@anthropic-ai/sdk') as ClientSpec;
    expect(recordedOtherwise(anthropic, '1.0.0')).toMatch(/own tracing/);
    expect(recordedOtherwise(anthropic, '0.137.0')).toBeUndefined();
  });

  it('hooks a client patched by files inside its package as OpenTelemetry instrumentations do: one definition of the package, each file by its CommonJS and its ES module build', () => {
    const langchain = CLIENTS.find((c) => c.package === '@langchain/core') as ClientSpec;
    const loader = createClientInstrumentation(base, langchain, {
      captureContent: true,
      logger: recordingLogger().logger,
    } as never);
    const definitions = loader.getModuleDefinitions() as {
      name: string;
      patch?: unknown;
      files: { name: string }[];
    }[];
    expect(definitions.map((d) => d.name)).toEqual(['@langchain/core']);
    // The entry is no module patched: the files are.
    expect(definitions[0]?.patch).toBeUndefined();
    expect(definitions[0]?.files.map((f) => f.name)).toEqual([
      join('@langchain/core', 'dist', 'callbacks', 'manager.cjs'),
      join('@langchain/core', 'dist', 'callbacks', 'manager.js'),
    ]);
    // A client patched by its entry: that one definition, its patch the entry's.
    const openai = CLIENTS.find((c) => c.package === 'openai') as ClientSpec;
    const entry = createClientInstrumentation(base, openai, {
      captureContent: true,
      logger: recordingLogger().logger,
    } as never).getModuleDefinitions() as { name: string; patch?: unknown; files: unknown[] }[];
    expect(entry.map((d) => [d.name, typeof d.patch, d.files.length])).toEqual([['openai', 'function', 0]]);
  });

  it('names one module per client and an instrumentation package for each', () => {
    expect(new Set(CLIENTS.map((c) => c.package)).size).toBe(CLIENTS.length);
    for (const c of CLIENTS) expect(c.instrumentation).toMatch(/^@[a-z-]+\/[a-z-]+$/);
  });
});

describe('entryIsEsModule', () => {
  // The function as the SDK ships it (bundled), run as the entry's first import, as an app runs it.
  const dir = mkdtempSync(join(tmpdir(), 'entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'probe.cjs');
  buildSync({
    stdin: {
      contents: "import { entryIsEsModule } from './optional-require.ts'; console.log(entryIsEsModule());",
      resolveDir: fileURLToPath(new URL('../src/', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(bundle).href) },
    logLevel: 'silent',
  });
  it.each([
    ['an .mjs file', 'app.mjs', undefined, 'import "../probe.cjs";', 'true'],
    ['a .cjs file in a "type": "module" package', 'app.cjs', '{"type":"module"}', 'require("../probe.cjs");', 'false'],
    [
      'a .js file of a "type": "commonjs" package',
      'app.js',
      '{"type":"commonjs"}',
      'require("../probe.cjs");',
      'false',
    ],
    ['a type-less .js file of CommonJS', 'app.js', '{"name":"a"}', '"use strict";\nrequire("../probe.cjs");', 'false'],
    ['a type-less .js file with an import statement', 'app.js', '{"name":"a"}', 'import "../probe.cjs";', 'true'],
  ])('%s', (_what, file, pkg, source, expected) => {
    const here = mkdtempSync(join(dir, 'app-'));
    if (pkg) writeFileSync(join(here, 'package.json'), pkg);
    writeFileSync(join(here, file), source);
    const out = execFileSync(process.execPath, [join(here, file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out.trim()).toBe(expected);
  });
});
