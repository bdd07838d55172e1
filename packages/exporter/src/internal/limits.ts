/**
 * Size limits of AgentOps payload fields, shared by the mapping (which clamps to them, so what the
 * SDK sends always fits), the SDK's events and the local server (which validates with them).
 */
export const LIMITS = {
  idLength: 64,
  modelLength: 256,
  nameLength: 512,
  /** Span names of the SDK's own events (`chat {model}`, `execute_tool {name}`, ...). */
  spanNameLength: 256,
  tagLength: 512,
  tags: 200,
  endStateReasonLength: 10_000,
  videoLength: 4096,
  /** An evaluator's explanation of its score. */
  explanationLength: 65_536,
  eventsPerBatch: 5000,
} as const;

export function clamp(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

/**
 * Session tags from a value of unknown shape: its non-empty strings, each clamped to
 * `LIMITS.tagLength`, without repeats, at most `LIMITS.tags`. Undefined when it is not an array.
 */
export function tagList(value: unknown): string[] | undefined {
  const tags = new Set<string>();
  try {
    if (!Array.isArray(value)) return undefined;
    // By index, each read on its own: a hostile array (a Proxy) loses what cannot be read.
    const length = Math.min(value.length, 10 * LIMITS.tags);
    for (let i = 0; i < length && tags.size < LIMITS.tags; i++) {
      const t: unknown = value[i];
      if (typeof t === 'string' && t !== '') tags.add(clamp(t, LIMITS.tagLength));
    }
  } catch {
    return tags.size > 0 ? [...tags] : undefined;
  }
  return [...tags];
}
