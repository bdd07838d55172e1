/**
 * A plain copy of a user's options object, read one key at a time so that a throwing getter or a
 * hostile Proxy loses that key, not the whole event (and never throws into the caller).
 */
export function safeOptions<T extends object>(options: unknown): Partial<T> {
  if (typeof options !== 'object' || options === null) return {};
  const copy: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch {
    return {};
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
