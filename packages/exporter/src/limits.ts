/**
 * Size limits of AgentOps payload fields, shared by the mapping (which clamps to them, so what the
 * SDK sends always fits) and the local server (which validates with them).
 */
export const LIMITS = {
  idLength: 64,
  modelLength: 256,
  nameLength: 512,
  tagLength: 512,
  tags: 200,
  endStateReasonLength: 10_000,
  videoLength: 4096,
  eventsPerBatch: 5000,
} as const;

export function clamp(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

export function clampTags(tags: string[]): string[] {
  return tags.slice(0, LIMITS.tags).map((t) => clamp(t, LIMITS.tagLength));
}
