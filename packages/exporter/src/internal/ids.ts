/** A session id: a UUID whose 32 hex digits are the session's OpenTelemetry trace id. */
export type SessionId = string;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INVALID_TRACE_ID = '00000000000000000000000000000000';

/** `0af7651916cd43dd8448eb211c80319c` -> `0af76519-16cd-43dd-8448-eb211c80319c`. */
export function traceIdToSessionId(traceId: string): SessionId {
  const t = traceId.toLowerCase();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
}

/** The trace id of a session id, or undefined when the id is not a UUID (or is all zeros). */
export function sessionIdToTraceId(sessionId: string): string | undefined {
  if (typeof sessionId !== 'string' || !UUID_RE.test(sessionId)) return undefined;
  const traceId = sessionId.replaceAll('-', '').toLowerCase();
  return traceId === INVALID_TRACE_ID ? undefined : traceId;
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
