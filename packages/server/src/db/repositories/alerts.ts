/**
 * Alerts, the same statements on both stores: a project's rules; the spend counters kept as events
 * are stored (per hour, per end user, tag, environment, model and the project), so a rule is
 * evaluated on the batch that may make it fire, never by a scan; each alert fired once per rule,
 * subject and period (a unique key: two instances storing the batches that cross a limit at once
 * fire it once); and the webhook deliveries, claimed a few at a time (across instances, each by one).
 */
import { randomUUID } from 'node:crypto';
import { formatCost } from '@agentops/exporter';
import {
  type AlertBody,
  type AlertCondition,
  type AlertOutcome,
  type AlertRecord,
  type AlertRule,
  type AlertRuleInput,
  type Budget,
  type DueAlert,
  type Group,
  WINDOWS,
} from '../../alerts/rules.js';
import { timestampOf } from '../../timestamps.js';
import { storedJson } from '../Store.js';
import { all, type Dialect, get, type Op, run } from '../sql/query.js';

/** A fresh event's cost, as it counts toward spend. */
export interface Spend {
  cost: number;
  model: string | null;
  /** When it was spent: the event's end. */
  at: string;
}

const iso = timestampOf;

/** What a condition's value and threshold are in. */
function unitOf(c: AlertCondition): AlertBody['unit'] {
  return c.kind === 'failure_rate' ? 'fraction' : c.kind === 'p95_duration' ? 'ms' : 'usd';
}

/** A value of a condition as alerts give it: money as the server gives money, a fraction to four places, whole milliseconds. */
function formatValue(c: AlertCondition, value: number): string {
  const unit = unitOf(c);
  if (unit === 'fraction') return value.toFixed(4);
  if (unit === 'ms') return String(Math.round(value));
  return formatCost(value);
}
/** The hour a time falls in, as spend is kept: `2026-12-05T10`. */
const hourOf = (time: string) => time.slice(0, 13);

interface RuleRow {
  id: string;
  name: string;
  rule: string;
  secret: string;
  created_at: string;
}

function ruleOf(row: RuleRow): AlertRule & { secret: string } {
  const stored = JSON.parse(row.rule) as AlertRuleInput;
  return {
    id: row.id,
    name: row.name,
    condition: stored.condition,
    webhook: stored.webhook,
    created_at: row.created_at,
    secret: row.secret,
  };
}

/** The keys a session's spend counts under, for one group. */
function keysOf(
  group: Group,
  s: { user_id: string | null; environment: string | null; tags: string[] },
  model: string | null,
): string[] {
  switch (group) {
    case 'user':
      return s.user_id ? [s.user_id] : [];
    case 'tag':
      return s.tags;
    case 'environment':
      return s.environment ? [s.environment] : [];
    case 'model':
      return model ? [model] : [];
    case 'project':
      return [''];
  }
}

/** Whom a session runs for, as its spend is counted. */
interface Attribution {
  user_id: string | null;
  environment: string | null;
  tags: string[];
}
const NOBODY: Attribution = { user_id: null, environment: null, tags: [] };

/** What a batch adds to the spend counters: by group, key and hour. */
type Added = Map<string, [Group, string, string, number]>;

function add(added: Added, group: Group, key: string, at: string, cost: number): void {
  const id = `${group}\u0000${key}\u0000${hourOf(at)}`;
  const row = added.get(id) ?? [group, key, hourOf(at), 0];
  row[3] += cost;
  added.set(id, row);
}

const spendGroups = (rules: AlertRule[]) =>
  new Set(rules.flatMap((r) => (r.condition.kind === 'spend' ? [r.condition.group_by] : [])));

export function alertRepository(d: Dialect) {
  const spentSince = function* (projectId: string, group: Group, key: string, since: string): Op<number> {
    const row = yield* get<{ n: number | string | null }>(
      'SELECT SUM(cost) AS n FROM spend_hours WHERE project_id = ? AND dimension = ? AND key = ? AND hour >= ?',
      [projectId, group, key, since],
    );
    return Number(row?.n ?? 0);
  };

  /** Fires `rule` for `subject` in `period` unless it fired there already (here or at another instance). */
  function* fire(
    projectId: string,
    rule: AlertRule & { secret: string },
    subject: AlertBody['subject'],
    period: string,
    value: number,
    sessionId: string,
    now: number,
  ): Op<void> {
    const id = randomUUID();
    const firedAt = iso(now);
    const body: AlertBody = {
      id,
      rule: { id: rule.id, name: rule.name, condition: rule.condition },
      project_id: projectId,
      subject,
      value: formatValue(rule.condition, value),
      threshold: formatValue(rule.condition, rule.condition.threshold),
      unit: unitOf(rule.condition),
      fired_at: firedAt,
      session_id: sessionId,
    };
    const key = 'session_id' in subject ? `session:${subject.session_id}` : `${subject.group_by}:${subject.key}`;
    yield* run(
      `INSERT INTO alerts (id, project_id, rule_id, subject, period, body, webhook_url, format, secret, fired_at, status, next_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (rule_id, subject, period) DO NOTHING`,
      [
        id,
        projectId,
        rule.id,
        key,
        period,
        JSON.stringify(body),
        rule.webhook.url,
        rule.webhook.format,
        rule.secret,
        firedAt,
        firedAt,
      ],
    );
  }

  /** The project's rules, oldest first, with their signing secrets. */
  function* projectRules(projectId: string): Op<(AlertRule & { secret: string })[]> {
    const rows = yield* all<RuleRow>(
      'SELECT id, name, rule, secret, created_at FROM alert_rules WHERE project_id = ? ORDER BY created_at, id',
      [projectId],
    );
    return rows.map(ruleOf);
  }

  /** The session (its project, whom it runs for, its cost) and its project's rules; undefined when it has none. */
  function* sessionAndRules(sessionId: string) {
    const rows = yield* all<
      RuleRow &
        Omit<Attribution, 'tags'> & { project_id: string; tags: unknown; cost: number; last_event_end: string | null }
    >(
      `SELECT s.project_id, s.user_id, s.environment, s.tags, s.cost, s.last_event_end,
              r.id, r.name, r.rule, r.secret, r.created_at
       FROM sessions s JOIN alert_rules r ON r.project_id = s.project_id WHERE s.id = ? ORDER BY r.id`,
      [sessionId],
    );
    const first = rows[0];
    if (!first) return undefined;
    const session = {
      project_id: first.project_id,
      user_id: first.user_id,
      environment: first.environment,
      tags: storedJson<string[]>(first.tags, []),
      cost: Number(first.cost),
      last_event_end: first.last_event_end,
    };
    return { session, rules: rows.map(ruleOf) };
  }

  /** Adds to the spend counters, then fires each rule they, or the session's cost, take over its limit. */
  function* addAndEvaluate(
    session: { project_id: string; cost: number },
    rules: (AlertRule & { secret: string })[],
    added: Added,
    sessionId: string,
    now: number,
  ): Op<void> {
    const projectId = session.project_id;
    // Each group, key and hour once, in one order (two instances adding to one row lock alike).
    for (const id of [...added.keys()].sort()) {
      const [group, key, hour, cost] = added.get(id) as [Group, string, string, number];
      yield* run(
        `INSERT INTO spend_hours (project_id, dimension, key, hour, cost) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (project_id, dimension, key, hour) DO UPDATE SET cost = spend_hours.cost + excluded.cost`,
        [projectId, group, key, hour, cost],
      );
    }
    for (const rule of rules) {
      const c: AlertCondition = rule.condition;
      if (c.kind === 'session_cost') {
        if (session.cost > c.threshold) {
          yield* fire(projectId, rule, { session_id: sessionId }, '', session.cost, sessionId, now);
        }
        continue;
      }
      if (c.kind !== 'spend') continue;
      const windowMs = WINDOWS[c.window];
      const since = hourOf(iso(now - windowMs));
      const keys = new Set([...added.values()].filter(([g]) => g === c.group_by).map(([, key]) => key));
      for (const key of [...keys].sort()) {
        const spent = yield* spentSince(projectId, c.group_by, key, since);
        // Once per window's length: a subject still over its limit is told again in the next one.
        if (spent > c.threshold) {
          const period = String(Math.floor(now / windowMs));
          yield* fire(projectId, rule, { group_by: c.group_by, key }, period, spent, sessionId, now);
        }
      }
    }
  }

  return {
    *addRule(projectId: string, input: AlertRuleInput, secret: string): Op<AlertRule> {
      const rule = { id: randomUUID(), ...input, created_at: iso(Date.now()) };
      yield* run('INSERT INTO alert_rules (id, project_id, name, rule, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        rule.id,
        projectId,
        rule.name,
        JSON.stringify({ condition: rule.condition, webhook: rule.webhook }),
        secret,
        rule.created_at,
      ]);
      return rule;
    },

    *rules(projectId: string): Op<AlertRule[]> {
      return (yield* projectRules(projectId)).map(({ secret: _, ...rule }) => rule);
    },

    *deleteRule(projectId: string, id: string): Op<boolean> {
      return (yield* run('DELETE FROM alert_rules WHERE id = ? AND project_id = ?', [id, projectId])) > 0;
    },

    /**
     * In the transaction that stored a batch's new events: adds what they cost to the spend of
     * every group a rule of the session's project watches, and fires each rule the batch took over
     * its limit. Nothing is read when the project has no rule.
     */
    *onSpend(sessionId: string, spends: readonly Spend[], now: number): Op<void> {
      const found = yield* sessionAndRules(sessionId);
      if (!found) return;
      const { session, rules } = found;
      const added: Added = new Map();
      for (const group of spendGroups(rules)) {
        for (const s of spends) for (const key of keysOf(group, session, s.model)) add(added, group, key, s.at, s.cost);
      }
      yield* addAndEvaluate(session, rules, added, sessionId, now);
    },

    /**
     * Reads whom a session runs for (its user, environment and tags) before a payload may change it,
     * when its project has a spend rule over them; undefined otherwise (nothing to do after).
     */
    *attributionBefore(projectId: string, sessionId: string): Op<Attribution | undefined> {
      const row = yield* get<{ user_id: string | null; environment: string | null; tags: unknown; n: number | string }>(
        `SELECT s.user_id, s.environment, s.tags, (SELECT COUNT(*) FROM alert_rules r WHERE r.project_id = ?) AS n
         FROM sessions s WHERE s.id = ?`,
        [projectId, sessionId],
      );
      if (row && Number(row.n) === 0) return undefined;
      return row
        ? { user_id: row.user_id, environment: row.environment, tags: storedJson<string[]>(row.tags, []) }
        : NOBODY;
    },

    /**
     * After a payload told whom a session runs for: what the session spent before it was known
     * counts toward the new user's, environment's and tags' budgets now (events stored before the
     * session's own payload, as OTLP and a late session announcement deliver them).
     */
    *onAttribution(sessionId: string, before: Attribution, now: number): Op<void> {
      const found = yield* sessionAndRules(sessionId);
      if (!found || !(found.session.cost > 0)) return;
      const { session, rules } = found;
      const added: Added = new Map();
      for (const group of spendGroups(rules)) {
        if (group === 'model' || group === 'project') continue;
        const known = new Set(keysOf(group, before, null));
        for (const key of keysOf(group, session, null)) {
          if (!known.has(key)) add(added, group, key, session.last_event_end ?? iso(now), session.cost);
        }
      }
      if (added.size > 0) yield* addAndEvaluate(session, rules, added, sessionId, now);
    },

    /**
     * When a session's end is stored: the rules over the sessions ended lately (the failure rate,
     * the p95 duration) read the project's sessions ended in their window (an index's range, never
     * all sessions), and fire once per window's length while over.
     */
    *onSessionEnd(projectId: string, sessionId: string, now: number): Op<void> {
      const rules = (yield* projectRules(projectId)).filter(
        (r) => r.condition.kind === 'failure_rate' || r.condition.kind === 'p95_duration',
      );
      for (const rule of rules) {
        const c = rule.condition as Extract<AlertCondition, { minutes: number }>;
        const windowMs = c.minutes * 60_000;
        const ended = yield* all<{ failed: number | string; ms: number | string }>(
          `SELECT CASE WHEN end_state = 'Fail' THEN 1 ELSE 0 END AS failed,
                  ${d.durationMs('end_timestamp', 'init_timestamp')} AS ms
           FROM sessions WHERE project_id = ? AND end_timestamp >= ? AND end_state IS NOT NULL`,
          [projectId, iso(now - windowMs)],
        );
        if (ended.length < c.min_sessions) continue;
        let value: number;
        if (c.kind === 'failure_rate') value = ended.reduce((n, r) => n + Number(r.failed), 0) / ended.length;
        else {
          const ms = ended.map((r) => Number(r.ms)).sort((a, b) => a - b);
          value = ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)] as number;
        }
        if (value > c.threshold) {
          yield* fire(
            projectId,
            rule,
            { group_by: 'project', key: '' },
            String(Math.floor(now / windowMs)),
            value,
            sessionId,
            now,
          );
        }
      }
    },

    *history(projectId: string, limit: number): Op<AlertRecord[]> {
      const rows = yield* all<{
        body: string;
        status: AlertRecord['status'];
        attempts: number | string;
        delivered_at: string | null;
        last_error: string | null;
      }>(
        `SELECT body, status, attempts, delivered_at, last_error FROM alerts WHERE project_id = ?
         ORDER BY fired_at DESC, id LIMIT ?`,
        [projectId, limit],
      );
      return rows.map((r) => ({
        alert: JSON.parse(r.body) as AlertBody,
        status: r.status,
        attempts: Number(r.attempts),
        delivered_at: r.delivered_at,
        last_error: r.last_error,
      }));
    },

    /** Whether any alert's delivery is due: read first, so an idle server opens no write transaction to find out. */
    *anyDue(now: number): Op<boolean> {
      return (
        (yield* get("SELECT 1 AS due FROM alerts WHERE status = 'pending' AND next_at <= ? LIMIT 1", [iso(now)])) !==
        undefined
      );
    },

    /** Up to `limit` alerts whose delivery is due, each claimed (not due again for `leaseMs`) by this caller alone. */
    *claimDue(now: number, limit: number, leaseMs: number): Op<DueAlert[]> {
      const rows = yield* all<DueAlert & { attempts: number | string }>(
        `UPDATE alerts SET attempts = attempts + 1, next_at = ?
         WHERE id IN (SELECT id FROM alerts WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?${d.skipLocked})
         RETURNING id, body, webhook_url, format, secret, attempts`,
        [iso(now + leaseMs), iso(now), limit],
      );
      return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
    },

    /** How one delivery attempt went: delivered, tried again at `retryAt`, or (without one) given up. */
    *settle(id: string, outcome: AlertOutcome): Op<void> {
      if (outcome.delivered) {
        yield* run("UPDATE alerts SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?", [
          iso(outcome.at),
          id,
        ]);
      } else if (outcome.retryAt !== undefined) {
        yield* run('UPDATE alerts SET next_at = ?, last_error = ? WHERE id = ?', [
          iso(outcome.retryAt),
          outcome.error,
          id,
        ]);
      } else {
        yield* run("UPDATE alerts SET status = 'failed', last_error = ? WHERE id = ?", [outcome.error, id]);
      }
    },

    /** Where each spend rule stands for the subjects given (a rule whose group has no key given is left out). */
    *budgets(projectId: string, keys: Partial<Record<Group, string>>, now: number): Op<Budget[]> {
      const budgets: Budget[] = [];
      for (const rule of yield* projectRules(projectId)) {
        const c = rule.condition;
        if (c.kind !== 'spend') continue;
        const key = c.group_by === 'project' ? '' : keys[c.group_by];
        if (key === undefined) continue;
        const spent = yield* spentSince(projectId, c.group_by, key, hourOf(iso(now - WINDOWS[c.window])));
        budgets.push({
          rule_id: rule.id,
          name: rule.name,
          group_by: c.group_by,
          key,
          window: c.window,
          limit: formatCost(c.threshold),
          spent: formatCost(spent),
          remaining: formatCost(Math.max(0, c.threshold - spent)),
          over: spent > c.threshold,
        });
      }
      return budgets;
    },
  };
}
