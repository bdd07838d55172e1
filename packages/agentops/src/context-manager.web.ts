/**
 * The context manager for Web-API runtimes. Over the runtime's `AsyncLocalStorage` where it has one
 * (the Next.js Edge runtime gives it as a global; Workers with `nodejs_compat` as `node:async_hooks`,
 * reached through `process.getBuiltinModule` so that nothing Node-only is imported): sessions and
 * spans cross `await` as on Node. Without one (a Worker without `nodejs_compat`; `nodejs_als` alone
 * gives no `process` to reach it through), the context holds only while a function runs
 * synchronously, which is said once.
 */
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';
import type * as Node from './context-manager.js';

interface Storage {
  getStore(): Context | undefined;
  run<R>(store: Context, callback: () => R): R;
  disable?(): void;
}
type StorageClass = new () => Storage;

function asyncLocalStorage(): StorageClass | undefined {
  const g = globalThis as {
    AsyncLocalStorage?: unknown;
    process?: { getBuiltinModule?: (id: string) => { AsyncLocalStorage?: unknown } | undefined };
  };
  if (typeof g.AsyncLocalStorage === 'function') return g.AsyncLocalStorage as StorageClass;
  try {
    const hooks = g.process?.getBuiltinModule?.('node:async_hooks');
    if (typeof hooks?.AsyncLocalStorage === 'function') return hooks.AsyncLocalStorage as StorageClass;
  } catch {
    // No such built-in here.
  }
  return undefined;
}

/**
 * Without `AsyncLocalStorage`: the store of the innermost `run` running now, ended when it returns
 * (the same shape, so one context manager serves both).
 */
class SynchronousStorage implements Storage {
  #current: Context | undefined;
  getStore(): Context | undefined {
    return this.#current;
  }
  run<R>(store: Context, callback: () => R): R {
    const outer = this.#current;
    this.#current = store;
    try {
      return callback();
    } finally {
      this.#current = outer;
    }
  }
}

/** Over a storage of contexts, as OpenTelemetry's Node.js manager (less its EventEmitter binding). */
class StorageContextManager implements ContextManager {
  #storage: Storage;
  constructor(readonly Storage: StorageClass) {
    this.#storage = new Storage();
  }
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(context, () => fn.apply(thisArg, args));
  }
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    } as unknown as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable?.();
    this.#storage = new this.Storage();
    return this;
  }
}

export const createContextManager: typeof Node.createContextManager = (logger) => {
  const Storage = asyncLocalStorage();
  if (Storage) return new StorageContextManager(Storage);
  logger.warn(
    'this runtime has no AsyncLocalStorage (on Cloudflare Workers, add the `nodejs_compat` ' +
      'compatibility flag): a session and the current span do not cross `await`. Events recorded after an ' +
      '`await` go to the one open session, with no parent span; with several requests at once, take the ' +
      'session before the first `await` (`const session = agentops.getSession()`) and record through it ' +
      '(`session.record(event)`).',
  );
  return new StorageContextManager(SynchronousStorage);
};
