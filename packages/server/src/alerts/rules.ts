/**
 * A project's alert rules: spend over a rolling window (per end user, tag, environment, model, or
 * the whole project: a budget), or one session costing more than a limit; each firing a webhook
 * (a generic JSON body or a Slack-compatible one), signed with the rule's secret. The one shape the
 * API and the store share; anything else is refused with what is wrong.
 */

/** What a spend rule adds up apart: each end user's (`user.id`), each tag's, ... or the project's. */
export const GROUPS = ['user', 'tag', 'environment', 'model', 'project'] as const;
export type Group = (typeof GROUPS)[number];

/** The rolling windows a spend rule looks back over, to the hour. */
export const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type Window = keyof typeof WINDOWS;

export type AlertCondition =
  | { kind: 'spend'; group_by: Group; window: Window; threshold: number }
  | { kind: 'session_cost'; threshold: number };

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

function condition(value: unknown): AlertCondition {
  const c = object(value, 'condition');
  const threshold = c.threshold;
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)) {
    fail('condition.threshold must be a number of dollars, 0 or more');
  }
  if (c.kind === 'session_cost') {
    onlyKeys(c, ['kind', 'threshold'], 'a session_cost condition');
    return { kind: 'session_cost', threshold: threshold as number };
  }
  if (c.kind !== 'spend') fail('condition.kind must be "spend" or "session_cost"');
  onlyKeys(c, ['kind', 'group_by', 'window', 'threshold'], 'a spend condition');
  const group = c.group_by ?? 'project';
  if (!(GROUPS as readonly unknown[]).includes(group)) fail(`condition.group_by must be one of ${GROUPS.join(', ')}`);
  const window = c.window ?? '24h';
  if (!(typeof window === 'string' && window in WINDOWS)) {
    fail(`condition.window must be one of ${Object.keys(WINDOWS).join(', ')}`);
  }
  return { kind: 'spend', group_by: group as Group, window: window as Window, threshold: threshold as number };
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
  /** What went over: the group and its key (a user id, a tag...), or the session. */
  subject: { group_by: Group; key: string } | { session_id: string };
  /** Dollars spent (in the window, or by the session), and the limit it went over: money as the server gives it, six places. */
  value: string;
  threshold: string;
  fired_at: string;
  /** The session whose events made it go over. */
  session_id: string;
}

const money = (n: string) => `$${Number(n).toFixed(2)}`;

/** The alert in one sentence: the Slack body's text. */
export function alertText(a: AlertBody): string {
  const c = a.rule.condition;
  const what =
    'session_id' in a.subject
      ? `session ${a.subject.session_id} cost ${money(a.value)}`
      : `spend of ${a.subject.group_by === 'project' ? 'the project' : `${a.subject.group_by} ${a.subject.key}`} over ${c.kind === 'spend' ? c.window : ''} is ${money(a.value)}`;
  return `AgentOps alert "${a.rule.name}": ${what} (limit ${money(a.threshold)})`;
}
