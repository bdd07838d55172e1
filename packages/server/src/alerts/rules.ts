/**
 * A project's alert rules: spend over a rolling window (per end user, tag, environment, model, or
 * the whole project: a budget), one session costing more than a limit, the failure rate or the p95
 * duration of the sessions ended lately; each firing a webhook (a generic JSON body or a
 * Slack-compatible one), signed with the rule's secret. The one shape the API, the store and the
 * dashboard share; anything else is refused with what is wrong.
 */

import type { BudgetState } from '@agentops/exporter';

/** What a spend rule adds up apart: each end user's (`user.id`), each tag's, ... or the project's. */
export const GROUPS = ['user', 'tag', 'environment', 'model', 'project'] as const;
export type Group = (typeof GROUPS)[number];

/** The rolling windows a spend rule looks back over, to the hour. */
export const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type Window = keyof typeof WINDOWS;

/** The conditions over the sessions that ended in the last `minutes`, when at least `min_sessions` did. */
export interface EndedWindow {
  minutes: number;
  min_sessions: number;
}

export type AlertCondition =
  | { kind: 'spend'; group_by: Group; window: Window; threshold: number }
  | { kind: 'session_cost'; threshold: number }
  /** The fraction (0 to 1) of the sessions ended in the window that ended in Fail. */
  | ({ kind: 'failure_rate'; threshold: number } & EndedWindow)
  /** The 95th percentile of their durations, in milliseconds. */
  | ({ kind: 'p95_duration'; threshold: number } & EndedWindow);

export interface AlertWebhook {
  url: string;
  /** `json`: the alert as JSON; `slack`: `{ text }`, for a Slack (or compatible) incoming webhook. */
  format: 'json' | 'slack';
}

/** A rule as it is made (`POST /v2/alerts/rules`). */
export interface AlertRuleInput {
  name: string;
  condition: AlertCondition;
  webhook: AlertWebhook;
}

/** A rule as it is kept: its id and when it was made; its signing secret is given once, when it is made. */
export interface AlertRule extends AlertRuleInput {
  id: string;
  created_at: string;
}

/** A rule, or a part of one, that is not valid: the message says what is wrong. */
export class AlertRuleError extends Error {}

const fail = (message: string): never => {
  throw new AlertRuleError(message);
};

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, keys: string[], what: string): void {
  const extra = Object.keys(o).find((k) => !keys.includes(k));
  if (extra !== undefined) fail(`${what} has no field "${extra}"`);
}

function endedWindow(c: Record<string, unknown>): EndedWindow {
  const minutes = c.minutes ?? 60;
  if (!(typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 1 && minutes <= 10_080)) {
    fail('condition.minutes must be a whole number of minutes from 1 to 10080 (a week)');
  }
  const least = c.min_sessions ?? 5;
  if (!(typeof least === 'number' && Number.isInteger(least) && least >= 1)) {
    fail('condition.min_sessions must be a whole number, 1 or more');
  }
  return { minutes: minutes as number, min_sessions: least as number };
}

function condition(value: unknown): AlertCondition {
  const c = object(value, 'condition');
  const threshold = c.threshold;
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)) {
    fail('condition.threshold must be a number, 0 or more (dollars; a fraction for failure_rate; ms for p95_duration)');
  }
  const t = threshold as number;
  switch (c.kind) {
    case 'session_cost':
      onlyKeys(c, ['kind', 'threshold'], 'a session_cost condition');
      return { kind: 'session_cost', threshold: t };
    case 'failure_rate':
      onlyKeys(c, ['kind', 'threshold', 'minutes', 'min_sessions'], 'a failure_rate condition');
      if (t > 1) fail('condition.threshold of failure_rate is a fraction from 0 to 1');
      return { kind: 'failure_rate', threshold: t, ...endedWindow(c) };
    case 'p95_duration':
      onlyKeys(c, ['kind', 'threshold', 'minutes', 'min_sessions'], 'a p95_duration condition');
      return { kind: 'p95_duration', threshold: t, ...endedWindow(c) };
    case 'spend':
      break;
    default:
      fail('condition.kind must be "spend", "session_cost", "failure_rate" or "p95_duration"');
  }
  onlyKeys(c, ['kind', 'group_by', 'window', 'threshold'], 'a spend condition');
  const group = c.group_by ?? 'project';
  if (!(GROUPS as readonly unknown[]).includes(group)) fail(`condition.group_by must be one of ${GROUPS.join(', ')}`);
  const window = c.window ?? '24h';
  if (!(typeof window === 'string' && window in WINDOWS)) {
    fail(`condition.window must be one of ${Object.keys(WINDOWS).join(', ')}`);
  }
  return { kind: 'spend', group_by: group as Group, window: window as Window, threshold: t };
}

/** The rule `value` describes, checked whole; throws an AlertRuleError with what is wrong. */
export function parseAlertRule(value: unknown): AlertRuleInput {
  const r = object(value, 'an alert rule');
  onlyKeys(r, ['name', 'condition', 'webhook'], 'an alert rule');
  if (!(typeof r.name === 'string' && r.name.trim() !== '' && r.name.length <= 200)) {
    fail('name must be 1 to 200 characters');
  }
  const w = object(r.webhook, 'webhook');
  onlyKeys(w, ['url', 'format'], 'webhook');
  let url: URL | undefined;
  try {
    url = new URL(String(w.url));
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) fail('webhook.url must be an http or https URL');
  const format = w.format ?? 'json';
  if (format !== 'json' && format !== 'slack') fail('webhook.format must be "json" or "slack"');
  return {
    name: (r.name as string).trim(),
    condition: condition(r.condition),
    webhook: { url: (url as URL).toString(), format: format as 'json' | 'slack' },
  };
}

/** What an alert says, as its webhook's JSON body (and the dashboard's and API's history). */
export interface AlertBody {
  id: string;
  rule: { id: string; name: string; condition: AlertCondition };
  project_id: string;
  /** What went over: the group and its key (a user id, a tag...; the project's is ''), or the session. */
  subject: { group_by: Group; key: string } | { session_id: string };
  /**
   * The value that went over the threshold, both in the condition's unit (`unit`): dollars (as the
   * server gives money: six places), a fraction of sessions, or milliseconds.
   */
  value: string;
  threshold: string;
  unit: 'usd' | 'fraction' | 'ms';
  fired_at: string;
  /** The session whose events made it go over. */
  session_id: string;
}

/** A value of an alert in its unit, for people: `$12.34`, `40.0%`, `5000 ms`. */
export const shown = (a: AlertBody, v: string) =>
  a.unit === 'usd'
    ? `$${Number(v).toFixed(2)}`
    : a.unit === 'fraction'
      ? `${(Number(v) * 100).toFixed(1)}%`
      : `${v} ms`;

/** The alert in one sentence: the Slack body's text. */
export function alertText(a: AlertBody): string {
  const c = a.rule.condition;
  let what: string;
  if ('session_id' in a.subject) what = `session ${a.subject.session_id} cost ${shown(a, a.value)}`;
  else if (c.kind === 'failure_rate') what = `${shown(a, a.value)} of the sessions of the last ${c.minutes} min failed`;
  else if (c.kind === 'p95_duration')
    what = `p95 duration of the sessions of the last ${c.minutes} min is ${shown(a, a.value)}`;
  else {
    const who = a.subject.group_by === 'project' ? 'the project' : `${a.subject.group_by} ${a.subject.key}`;
    what = `spend of ${who} over ${c.kind === 'spend' ? c.window : ''} is ${shown(a, a.value)}`;
  }
  return `AgentOps alert "${a.rule.name}": ${what} (limit ${shown(a, a.threshold)})`;
}

/** An alert as the history gives it: what it said, and how its webhook's delivery went. */
export interface AlertRecord {
  alert: AlertBody;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  delivered_at: string | null;
  last_error: string | null;
}

/** Where a spend rule stands for one subject: the wire's shape, which the SDK reads. */
export type Budget = BudgetState;

/** An alert whose webhook is due, claimed for one delivery attempt. */
export interface DueAlert {
  id: string;
  body: string;
  webhook_url: string;
  format: 'json' | 'slack';
  secret: string;
  attempts: number;
}

/** How one delivery attempt went: delivered, to try again at `retryAt`, or (without one) given up. */
export type AlertOutcome = { delivered: true; at: number } | { delivered: false; error: string; retryAt?: number };
