/** The copies `safeOptions` makes; handing one back returns it as it is (no second copy). */
class OptionsCopy {}

/**
 * A plain copy of a user's options object, read one key at a time so that a throwing getter or a
 * hostile Proxy loses that key, not the whole event (and never throws into the caller). An event
 * subclass copies once and passes the copy to its base class, which takes it as it is.
 */
export function safeOptions<T extends object>(options: unknown): Partial<T> {
  const copy = new OptionsCopy() as Record<string, unknown>;
  if (typeof options !== 'object' || options === null) return copy as Partial<T>;
  try {
    if (options instanceof OptionsCopy) return options as Partial<T>;
  } catch {
    // A Proxy whose getPrototypeOf throws, or a revoked one: not a copy of ours.
  }
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch {
    return copy as Partial<T>;
  }
  for (const key of keys) {
    try {
      copy[key] = (options as Record<string, unknown>)[key];
    } catch {
      // Skip what cannot be read.
    }
  }
  return copy as Partial<T>;
}
