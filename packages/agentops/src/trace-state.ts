/**
 * `tracestate` as W3C Trace Context Level 2 defines it: at most 32 list members, each `key=value`
 * with the key and value grammars below; one invalid member makes the whole header invalid, and an
 * invalid header is discarded (OpenTelemetry's `TraceState` keeps the valid members instead).
 */
import type { TraceState } from '@opentelemetry/api';

const MAX_MEMBERS = 32;
/** lcalpha or DIGIT, then up to 255 of lcalpha, DIGIT, `_ - * / @` (256 in all). */
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
/** 1 to 256 printable ASCII characters but `,` and `=`, not ending in a space. */
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** Optional white space around list members. */
const OWS = /^[ \t]+|[ \t]+$/g;

/** An immutable `tracestate`; `set` puts the member first, as the specification asks of an update. */
class W3CTraceState implements TraceState {
  readonly #members: ReadonlyMap<string, string>;

  constructor(members: ReadonlyMap<string, string>) {
    this.#members = members;
  }

  get(key: string): string | undefined {
    return this.#members.get(key);
  }

  set(key: string, value: string): TraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const members = new Map([[key, value]]);
    for (const [k, v] of this.#members) if (k !== key && members.size < MAX_MEMBERS) members.set(k, v);
    return new W3CTraceState(members);
  }

  unset(key: string): TraceState {
    if (!this.#members.has(key)) return this;
    const members = new Map(this.#members);
    members.delete(key);
    return new W3CTraceState(members);
  }

  serialize(): string {
    return [...this.#members].map(([k, v]) => `${k}=${v}`).join(',');
  }
}

/**
 * The trace state of a `tracestate` header (several headers joined with `,`), or undefined when it is
 * absent, empty or invalid. A repeated key keeps its first value.
 */
export function parseTraceState(header: string | undefined): TraceState | undefined {
  if (!header) return undefined;
  const members = new Map<string, string>();
  for (const raw of header.split(',')) {
    const member = raw.replace(OWS, '');
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!KEY.test(key) || !VALUE.test(value)) return undefined;
    if (!members.has(key)) members.set(key, value);
    if (members.size > MAX_MEMBERS) return undefined;
  }
  return members.size > 0 ? new W3CTraceState(members) : undefined;
}
