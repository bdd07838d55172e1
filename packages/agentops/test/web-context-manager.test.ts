/**
 * The Web-API entry's context manager (`context-manager.web.ts`): over the runtime's
 * AsyncLocalStorage (here Node's, reached as on workerd through `process.getBuiltinModule`) the
 * context crosses `await`; with none, it holds while a function runs synchronously, nested `with`s
 * restore the outer one, and the missing storage is said once, with what to do.
 */
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createContextManager } from '../src/context-manager.web.js';

const KEY = createContextKey('test');
const logger = () => {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
};
const getBuiltinModule = process.getBuiltinModule;
afterEach(() => {
  process.getBuiltinModule = getBuiltinModule;
});

describe('the Web-API context manager', () => {
  it("over the runtime's AsyncLocalStorage: the context crosses await, and bind keeps it", async () => {
    const log = logger();
    const manager = createContextManager(log);
    const ctx = ROOT_CONTEXT.setValue(KEY, 'request-1');
    const seen = await manager.with(ctx, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return manager.active().getValue(KEY);
    });
    expect(seen).toBe('request-1');
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const later = manager.bind(ctx, () => manager.active().getValue(KEY));
    expect(later()).toBe('request-1');
    expect(log.warnings).toEqual([]);
  });

  it('with none: the context holds while a function runs synchronously, and that is said once', async () => {
    (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
    const log = logger();
    const manager = createContextManager(log);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/no AsyncLocalStorage .*nodejs_compat.*session\.record/);
    const outer = ROOT_CONTEXT.setValue(KEY, 'outer');
    const inner = ROOT_CONTEXT.setValue(KEY, 'inner');
    const seen = manager.with(outer, () => {
      const nested = manager.with(inner, () => manager.active().getValue(KEY));
      return [nested, manager.active().getValue(KEY)];
    });
    expect(seen).toEqual(['inner', 'outer']);
    // Across an await the context is gone: the documented limit of such a runtime.
    const afterAwait = await manager.with(outer, async () => {
      await Promise.resolve();
      return manager.active().getValue(KEY);
    });
    expect(afterAwait).toBeUndefined();
    // A throw inside restores the outer context.
    expect(() =>
      manager.with(outer, () => {
        throw new Error('x');
      }),
    ).toThrow('x');
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });
});
