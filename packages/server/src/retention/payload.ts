/**
 * What a retention policy's payload budget removes from a stored event: what the app sent and got
 * back (prompts, completions, parameters, results, logs, screenshots, error details). What stays is
 * the event's metadata: its ids, times, type, names, model and token counts, so the session's
 * waterfall, totals and costs are whole.
 */

const PAYLOAD_FIELDS = ['prompt', 'completion', 'params', 'returns', 'logs', 'screenshot', 'details'] as const;

/** Set on an event whose payload was removed, so a reader can say why it is empty. */
export const PAYLOAD_REMOVED = 'payload_removed';

/**
 * The stored event JSON `data` without its payload, marked as such; undefined when there is nothing
 * to remove (removed already, or never had any) or the text is not a JSON object.
 */
export function withoutPayload(data: string): string | undefined {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event) || event[PAYLOAD_REMOVED] === true) {
    return undefined;
  }
  let removed = false;
  for (const field of PAYLOAD_FIELDS) {
    if (field in event) {
      delete event[field];
      removed = true;
    }
  }
  if (!removed) return undefined;
  event[PAYLOAD_REMOVED] = true;
  return JSON.stringify(event);
}
