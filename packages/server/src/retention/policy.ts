/**
 * A project's retention policy: how long its sessions are kept, by how they ended, and how many
 * bytes of payloads (prompts, completions, tool arguments and results, logs) it keeps before the
 * oldest ended sessions keep only their metadata and totals. The one shape the API, the CLI and the
 * store share; anything else is refused with what is wrong.
 */
import type { WireEndState } from '@agentops/exporter';

/** The kinds of sessions a policy keeps for a time: each end state, and sessions with none yet. */
export const SESSION_KINDS = ['Success', 'Fail', 'Indeterminate', 'unended'] as const;
export type SessionKind = WireEndState | 'unended';

export interface RetentionPolicy {
  /** Days each kind of session is kept after it ended (its last event, if it never ended); absent: kept. */
  keep_days: Partial<Record<SessionKind, number>>;
  /** Bytes of stored event JSON the project keeps; past it the oldest ended sessions lose their payloads. */
  payload_bytes?: number;
}

/** A project's policy, as the store lists them. */
export interface ProjectPolicy {
  projectId: string;
  policy: RetentionPolicy;
}

/** A policy, or a duration or size of one, that is not valid: the message says what is wrong. */
export class RetentionPolicyError extends Error {}

/** The longest a policy can keep a session: a hundred years, past which "forever" is the honest word. */
const MAX_DAYS = 36_500;
const MAX_BYTES = 2 ** 50;

/** The policy `value` describes, checked whole; throws with what is wrong (the API answers it with a 400). */
export function parseRetentionPolicy(value: unknown): RetentionPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RetentionPolicyError(
      'a retention policy is an object: { "keep_days": { "Success": 14, ... }, "payload_bytes": N }',
    );
  }
  const { keep_days: keep = {}, payload_bytes: bytes, ...rest } = value as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw new RetentionPolicyError(`a retention policy has no field "${unknownKey}"`);
  if (typeof keep !== 'object' || keep === null || Array.isArray(keep)) {
    throw new RetentionPolicyError(`keep_days is an object of days by kind of session (${SESSION_KINDS.join(', ')})`);
  }
  const keep_days: RetentionPolicy['keep_days'] = {};
  for (const [kind, days] of Object.entries(keep)) {
    if (!(SESSION_KINDS as readonly string[]).includes(kind)) {
      throw new RetentionPolicyError(`keep_days.${kind}: not a kind of session (${SESSION_KINDS.join(', ')})`);
    }
    if (!(typeof days === 'number' && Number.isFinite(days) && days > 0 && days <= MAX_DAYS)) {
      throw new RetentionPolicyError(`keep_days.${kind} must be a number of days above 0 and at most ${MAX_DAYS}`);
    }
    keep_days[kind as SessionKind] = days;
  }
  if (bytes === undefined || bytes === null) return { keep_days };
  if (!(typeof bytes === 'number' && Number.isInteger(bytes) && bytes >= 0 && bytes <= MAX_BYTES)) {
    throw new RetentionPolicyError(`payload_bytes must be a whole number of bytes from 0 to ${MAX_BYTES}`);
  }
  return { keep_days, payload_bytes: bytes };
}

/** True when the policy removes nothing. */
export function keepsEverything(policy: RetentionPolicy): boolean {
  return Object.keys(policy.keep_days).length === 0 && policy.payload_bytes === undefined;
}

const UNITS: Record<string, number> = { h: 1 / 24, d: 1, w: 7 };

/** Days written as the CLI takes them: `14d`, `2w`, `36h`, or a bare number of days. */
export function parseDays(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([hdw]?)$/i.exec(text.trim());
  if (!m)
    throw new RetentionPolicyError(`${option} takes a duration such as 14d, 2w or 36h (got ${JSON.stringify(text)})`);
  return Number(m[1]) * (UNITS[(m[2] || 'd').toLowerCase()] as number);
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size written as the CLI takes it: `500MB`, `5GB`, `2GiB`, or a number of bytes. */
export function parseBytes(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  if (!m)
    throw new RetentionPolicyError(`${option} takes a size such as 500MB, 5GB or 2GiB (got ${JSON.stringify(text)})`);
  return Math.round(Number(m[1]) * (BYTE_UNITS[(m[2] ?? '').toLowerCase()] as number));
}

/** The policy in words, for the CLI. */
export function describePolicy(policy: RetentionPolicy): string {
  const kept = SESSION_KINDS.map((k) => {
    const days = policy.keep_days[k];
    return `${k} ${days === undefined ? 'kept' : `${days} days`}`;
  }).join(', ');
  const bytes =
    policy.payload_bytes === undefined ? 'no payload budget' : `payloads up to ${policy.payload_bytes} bytes`;
  return `${kept}; ${bytes}`;
}

/** What one step (or a whole run) of retention removed. */
export interface RetentionWork {
  deleted_sessions: number;
  deleted_events: number;
  /** Events whose payload was removed, and the bytes of stored JSON that freed. */
  stripped_events: number;
  freed_bytes: number;
}

/** What a policy would remove now (`agentops-server retention --dry-run`, `GET /v2/retention`). */
export interface RetentionPreview {
  /** Sessions past their time, by kind, with their events and bytes. */
  expired_sessions: Record<string, number>;
  expired_events: number;
  expired_bytes: number;
  /** Bytes of stored event JSON the project holds, and its budget (null: none). */
  payload_bytes: number;
  payload_budget: number | null;
  /** Sessions whose payloads would go to bring the project within its budget, and their bytes. */
  payload_sessions: number;
  payload_sessions_bytes: number;
}
