/**
 * Process-wide state, kept on registered `globalThis` symbols. An app and its libraries may load
 * both builds of the package (an ESM app calling `init()`, a CommonJS library calling `record()`);
 * each build has its own module scope, so state held there would split in two and the library's
 * events would find no session. Both builds read the one object each name stands for.
 */
type Holder = Record<symbol, unknown>;

/** The process's one value for `name`, made by `create` the first time any build asks. */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`agentops.sdk.${name}.v1`);
  const holder = globalThis as unknown as Holder;
  if (!(key in holder)) holder[key] = create();
  return holder[key] as T;
}
