import { describe, expect, it } from 'vitest';
import { createDeferredInstrumentation, type PatchingInstrumentation } from '../src/instrumentation/deferred.js';

describe('a deferred instrumentation', () => {
  it('builds the real one only when the library loads, once, on the tracer provider it was given; disable() unpatches', async () => {
    const base = await import('@opentelemetry/instrumentation');
    const calls: string[] = [];
    const provider = { getTracer: () => ({}) } as never;
    let created = 0;
    let given: unknown;
    const deferred = createDeferredInstrumentation(base, {
      name: 'test-deferred',
      module: 'a-library-that-is-not-installed',
      versions: ['*'],
      create(tracerProvider): PatchingInstrumentation {
        created++;
        given = tracerProvider;
        // Loading the real instrumentation requires the library again: that patch is the one under way.
        deferred.manuallyInstrument(library);
        return {
          patch: (m) => calls.push(`patch ${(m as { name: string }).name}`),
          unpatch: (m) => calls.push(`unpatch ${(m as { name: string }).name}`),
        };
      },
    });
    const library = { name: 'cjs' };
    deferred.setTracerProvider(provider);
    expect(created).toBe(0);
    deferred.manuallyInstrument(library);
    deferred.manuallyInstrument({ name: 'esm' });
    expect(created).toBe(1);
    expect(given).toBe(provider);
    expect(calls).toEqual(['patch cjs', 'patch esm']);
    deferred.disable();
    expect(calls.slice(2).sort()).toEqual(['unpatch cjs', 'unpatch esm']);
  });

  it('says which instrumentation could not be loaded (the patch guard turns it into one warning)', async () => {
    const base = await import('@opentelemetry/instrumentation');
    const deferred = createDeferredInstrumentation(base, {
      name: '@scope/missing-instrumentation',
      module: 'lib',
      versions: ['*'],
      create: () => undefined,
    });
    expect(() => deferred.manuallyInstrument({})).toThrow('@scope/missing-instrumentation could not be loaded');
  });
});
