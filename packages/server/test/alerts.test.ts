/**
 * Budgets and alerts on a real store (SQLite, or PostgreSQL under `pnpm test:postgres`) and a real
 * webhook receiver (an HTTP server of the test's): rules made through the API (bad ones refused with
 * what is wrong), spend per end user over a rolling window counted as events are stored, a rule
 * fired once when a batch takes its subject over the limit, a session over its cost limit, webhooks
 * signed (HMAC-SHA256 of timestamp and body), in JSON or Slack's shape, retried with backoff and
 * given up, the history in the API, and budgets read by an app.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertDeliveryWorker } from '../src/alerts/AlertDeliveryWorker.js';
import { createProject } from '../src/auth/api-keys.js';
import { appPerTest } from './app-per-test.js';

const t = appPerTest();

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: answers each request with the next of `statuses` (then 200), keeping what it got. */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

let n = 0;
const sid = () => `72000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

/** A session of `user` (tags `tags`), and a function that sends it LLM events costing what is given. */
async function session(user: string | null, tags: string[] = [], key = t.key) {
  const id = sid();
  const now = new Date().toISOString();
  const created = await t.app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: key,
    payload: { session: { session_id: id, init_timestamp: now, tags, ...(user ? { user_id: user } : {}) } },
  });
  expect(created.statusCode).toBe(200);
  const auth = { authorization: `Bearer ${created.json<{ jwt: string }>().jwt}` };
  let e = 0;
  return {
    id,
    async spend(...costs: number[]): Promise<void> {
      const at = new Date().toISOString();
      const events = costs.map((cost) => ({
        id: `${id}-${++e}`,
        event_type: 'llms',
        model: 'gpt-4o-mini',
        init_timestamp: at,
        end_timestamp: at,
        cost,
      }));
      const res = await t.app.inject({ method: 'POST', url: '/v2/create_events', headers: auth, payload: { events } });
      expect(res.statusCode, res.body).toBe(200);
    },
    /** The same events again (a retried batch). */
    async resend(count: number, cost: number): Promise<void> {
      const at = new Date().toISOString();
      const events = Array.from({ length: count }, (_, i) => ({
        id: `${id}-${i + 1}`,
        event_type: 'llms',
        model: 'gpt-4o-mini',
        init_timestamp: at,
        end_timestamp: at,
        cost,
      }));
      await t.app.inject({ method: 'POST', url: '/v2/create_events', headers: auth, payload: { events } });
    },
  };
}

async function addRule(rule: Record<string, unknown>, key = t.key) {
  const res = await t.app.inject({ method: 'POST', url: '/v2/alerts/rules', headers: key, payload: rule });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ rule: { id: string }; secret: string }>();
}

async function history() {
  const res = await t.app.inject({ method: 'GET', url: '/v2/alerts', headers: t.key });
  return res.json<{
    alerts: {
      alert: { id: string; subject: Record<string, string>; value: string; threshold: string; rule: { id: string } };
      status: string;
      attempts: number;
      last_error: string | null;
    }[];
  }>().alerts;
}

const spendRule = (url: string, threshold = 1, format = 'json') => ({
  name: 'per-user daily budget',
  condition: { kind: 'spend', group_by: 'user', window: '24h', threshold },
  webhook: { url, format },
});

describe('alert rules', () => {
  it('are made, listed and deleted through the API; a bad one is refused with what is wrong', async () => {
    const bad: [unknown, RegExp][] = [
      [{ name: 'x', condition: { kind: 'spend', threshold: -1 }, webhook: { url: 'http://h/' } }, /threshold/],
      [
        { name: 'x', condition: { kind: 'spend', window: '2d', threshold: 1 }, webhook: { url: 'http://h/' } },
        /window/,
      ],
      [
        { name: 'x', condition: { kind: 'spend', group_by: 'team', threshold: 1 }, webhook: { url: 'http://h/' } },
        /group_by/,
      ],
      [{ name: 'x', condition: { kind: 'p99', threshold: 1 }, webhook: { url: 'http://h/' } }, /kind/],
      [{ name: 'x', condition: { kind: 'failure_rate', threshold: 2 }, webhook: { url: 'http://h/' } }, /fraction/],
      [
        { name: 'x', condition: { kind: 'failure_rate', threshold: 0.2, minutes: 0 }, webhook: { url: 'http://h/' } },
        /minutes/,
      ],
      [{ name: 'x', condition: { kind: 'spend', threshold: 1 }, webhook: { url: 'ftp://h/' } }, /http or https/],
      [{ name: '', condition: { kind: 'spend', threshold: 1 }, webhook: { url: 'http://h/' } }, /name/],
    ];
    for (const [payload, message] of bad) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v2/alerts/rules',
        headers: t.key,
        payload: payload as object,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    const made = await addRule(spendRule('https://hooks.example.com/x'));
    expect(made.secret).toMatch(/^[0-9a-f]{64}$/);
    const list = await t.app.inject({ method: 'GET', url: '/v2/alerts/rules', headers: t.key });
    expect(list.json().rules).toEqual([
      {
        id: made.rule.id,
        name: 'per-user daily budget',
        condition: { kind: 'spend', group_by: 'user', window: '24h', threshold: 1 },
        webhook: { url: 'https://hooks.example.com/x', format: 'json' },
        created_at: expect.any(String),
      },
    ]);
    expect(list.body).not.toContain(made.secret);
    // Another project sees none of them, and cannot delete them.
    const other = { 'x-agentops-api-key': (await createProject(t.store, 'other')).apiKey };
    expect((await t.app.inject({ method: 'GET', url: '/v2/alerts/rules', headers: other })).json().rules).toEqual([]);
    const theirs = await t.app.inject({ method: 'DELETE', url: `/v2/alerts/rules/${made.rule.id}`, headers: other });
    expect(theirs.statusCode).toBe(404);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v2/alerts/rules/${made.rule.id}`, headers: t.key });
    expect(deleted.json()).toEqual({ deleted: true });
    expect((await t.app.inject({ method: 'GET', url: '/v2/alerts/rules', headers: t.key })).json().rules).toEqual([]);
  });
});

describe('spend alerts', () => {
  it("fire once when a user's spend in the window goes over the limit, and budgets say where each user stands", async () => {
    const hook = await receiver();
    const { rule, secret } = await addRule(spendRule(hook.url, 1));
    const alice = await session('alice');
    const bob = await session('bob');
    await alice.spend(0.3, 0.3);
    await bob.spend(0.5);
    expect(await history()).toEqual([]);
    // A retried batch adds nothing.
    await alice.resend(2, 0.3);
    expect(await history()).toEqual([]);
    await alice.spend(0.6); // 1.2: over
    await alice.spend(0.4); // still over, same window: no second alert
    const [fired, ...more] = await history();
    expect(more).toEqual([]);
    expect(fired).toMatchObject({
      status: 'pending',
      attempts: 0,
      alert: {
        rule: { id: rule.id },
        subject: { group_by: 'user', key: 'alice' },
        threshold: '1.000000',
        value: '1.200000',
      },
    });
    // A second session of the same user counts toward the same budget.
    const budgets = await t.app.inject({ method: 'GET', url: '/v2/budgets?user_id=alice', headers: t.key });
    expect(budgets.json()).toMatchObject({
      over: true,
      budgets: [
        { rule_id: rule.id, key: 'alice', limit: '1.000000', spent: '1.600000', remaining: '0.00', over: true },
      ],
    });
    const bobs = await t.app.inject({ method: 'GET', url: '/v2/budgets?user_id=bob', headers: t.key });
    expect(bobs.json().over).toBe(false);
    expect(bobs.json().budgets[0]).toMatchObject({ spent: '0.500000', remaining: '0.500000' });

    // Delivered, signed with the rule's secret.
    const worker = new AlertDeliveryWorker(t.store);
    expect(await worker.deliverDue()).toBe(1);
    expect(hook.got).toHaveLength(1);
    const [req] = hook.got as Received[];
    const body = JSON.parse(req?.body ?? '');
    expect(body).toMatchObject({
      id: fired?.alert.id,
      subject: { group_by: 'user', key: 'alice' },
      session_id: alice.id,
    });
    expect(req?.headers['x-agentops-alert-id']).toBe(fired?.alert.id);
    const expected = createHmac('sha256', secret)
      .update(`${req?.headers['x-agentops-timestamp']}.${req?.body}`)
      .digest('hex');
    expect(req?.headers['x-agentops-signature']).toBe(`sha256=${expected}`);
    expect((await history())[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    // Nothing is sent twice.
    expect(await worker.deliverDue()).toBe(0);
    expect(hook.got).toHaveLength(1);
  });

  it('per tag and per model, and for the whole project; in a Slack-compatible body', async () => {
    const hook = await receiver();
    await addRule({
      name: 'vip tag',
      condition: { kind: 'spend', group_by: 'tag', window: '7d', threshold: 0.5 },
      webhook: { url: hook.url, format: 'slack' },
    });
    await addRule({
      name: 'model',
      condition: { kind: 'spend', group_by: 'model', window: '1h', threshold: 0.9 },
      webhook: { url: hook.url },
    });
    await addRule({
      name: 'project',
      condition: { kind: 'spend', window: '30d', threshold: 2 },
      webhook: { url: hook.url },
    });
    const a = await session(null, ['vip']);
    await a.spend(0.6);
    const subjects = () =>
      history().then((h) =>
        h.map((x) => x.alert.subject).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
      );
    expect(await subjects()).toEqual([{ group_by: 'tag', key: 'vip' }]);
    await a.spend(0.6);
    expect(await subjects()).toEqual([
      { group_by: 'model', key: 'gpt-4o-mini' },
      { group_by: 'tag', key: 'vip' },
    ]);
    const b = await session(null);
    await b.spend(1);
    expect(await subjects()).toEqual([
      { group_by: 'model', key: 'gpt-4o-mini' },
      { group_by: 'project', key: '' },
      { group_by: 'tag', key: 'vip' },
    ]);
    await new AlertDeliveryWorker(t.store).deliverDue();
    const slack = hook.got.map((g) => JSON.parse(g.body)).find((b) => 'text' in b);
    expect(slack).toEqual({ text: 'AgentOps alert "vip tag": spend of tag vip over 7d is $0.60 (limit $0.50)' });
  });

  it('what a session spent before it named its user counts toward that user once it does', async () => {
    const hook = await receiver();
    await addRule(spendRule(hook.url, 0.8));
    const s = await session(null);
    await s.spend(0.5, 0.4);
    const before = await t.app.inject({ method: 'GET', url: '/v2/budgets?user_id=gina', headers: t.key });
    expect(before.json().budgets[0]).toMatchObject({ spent: '0.00', over: false });
    const jwt = (
      await t.app.inject({ method: 'POST', url: '/v2/reauthorize_jwt', headers: t.key, payload: { session_id: s.id } })
    ).json().jwt;
    const named = await t.app.inject({
      method: 'POST',
      url: '/v2/update_session',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { session: { session_id: s.id, init_timestamp: new Date().toISOString(), user_id: 'gina' } },
    });
    expect(named.statusCode).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/v2/budgets?user_id=gina', headers: t.key });
    expect(after.json().budgets[0]).toMatchObject({ spent: '0.900000', over: true });
    expect((await history()).map((h) => h.alert.subject)).toEqual([{ group_by: 'user', key: 'gina' }]);
    // Named again: nothing counted twice.
    await t.app.inject({
      method: 'POST',
      url: '/v2/update_session',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { session: { session_id: s.id, init_timestamp: new Date().toISOString(), user_id: 'gina' } },
    });
    const again = await t.app.inject({ method: 'GET', url: '/v2/budgets?user_id=gina', headers: t.key });
    expect(again.json().budgets[0].spent).toBe('0.900000');
  });

  it('a session costing more than its limit fires once', async () => {
    const hook = await receiver();
    await addRule({
      name: 'expensive run',
      condition: { kind: 'session_cost', threshold: 2 },
      webhook: { url: hook.url },
    });
    const s = await session('carol');
    await s.spend(1.5);
    expect(await history()).toEqual([]);
    await s.spend(1);
    await s.spend(1);
    const alerts = await history();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.alert).toMatchObject({ subject: { session_id: s.id }, value: '2.500000', threshold: '2.000000' });
  });
});

/** A session started `ms` before now and ended now in `state`. */
async function ended(state: 'Success' | 'Fail', ms = 1000): Promise<void> {
  const id = sid();
  const end = Date.now();
  const session = { session_id: id, init_timestamp: new Date(end - ms).toISOString() };
  const created = await t.app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: t.key,
    payload: { session },
  });
  const auth = { authorization: `Bearer ${created.json<{ jwt: string }>().jwt}` };
  const res = await t.app.inject({
    method: 'POST',
    url: '/v2/update_session',
    headers: auth,
    payload: { session: { ...session, end_timestamp: new Date(end).toISOString(), end_state: state } },
  });
  expect(res.statusCode).toBe(200);
}

describe('alerts over the sessions ended lately', () => {
  it('the failure rate over the last minutes fires once it goes over, with enough sessions', async () => {
    const hook = await receiver();
    await addRule({
      name: 'failing',
      condition: { kind: 'failure_rate', minutes: 60, threshold: 0.5, min_sessions: 4 },
      webhook: { url: hook.url, format: 'slack' },
    });
    await ended('Fail');
    await ended('Fail');
    await ended('Success');
    expect(await history()).toEqual([]); // 3 sessions: fewer than 4
    await ended('Success');
    expect(await history()).toEqual([]); // 2 of 4: not over half
    await ended('Fail');
    await ended('Fail');
    const alerts = await history();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.alert).toMatchObject({
      subject: { group_by: 'project', key: '' },
      value: '0.6000',
      threshold: '0.5000',
      unit: 'fraction',
    });
    await new AlertDeliveryWorker(t.store).deliverDue();
    expect(JSON.parse(hook.got[0]?.body ?? '')).toEqual({
      text: 'AgentOps alert "failing": 60.0% of the sessions of the last 60 min failed (limit 50.0%)',
    });
  });

  it('the p95 duration over the last minutes fires when it is over', async () => {
    await addRule({
      name: 'slow',
      condition: { kind: 'p95_duration', minutes: 30, threshold: 2000, min_sessions: 3 },
      webhook: { url: 'http://127.0.0.1:9/' },
    });
    await ended('Success', 100);
    await ended('Success', 200);
    expect(await history()).toEqual([]);
    await ended('Success', 1500);
    expect(await history()).toEqual([]); // p95 of 100, 200, 1500 ms: 1500
    await ended('Fail', 5000);
    const alerts = await history();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.alert).toMatchObject({ value: '5000', threshold: '2000', unit: 'ms' });
  });
});

describe('webhook deliveries', () => {
  it('are retried with backoff after a failure, then given up after the last attempt', async () => {
    const flaky = await receiver([500, 503]);
    await addRule({ name: 'flaky', condition: { kind: 'session_cost', threshold: 0 }, webhook: { url: flaky.url } });
    const s = await session('dave');
    await s.spend(0.1);
    const waits: number[] = [];
    const worker = new AlertDeliveryWorker(t.store, {
      backoffMs: (n) => {
        waits.push(n);
        return 0;
      },
    });
    expect(await worker.deliverDue()).toBe(0);
    expect((await history())[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'the webhook answered 500',
    });
    expect(await worker.deliverDue()).toBe(0);
    expect(await worker.deliverDue()).toBe(1);
    expect(waits).toEqual([1, 2]);
    expect(flaky.got).toHaveLength(3);
    // Each attempt carries the same alert id, so a receiver can drop a repeat.
    expect(new Set(flaky.got.map((g) => g.headers['x-agentops-alert-id'])).size).toBe(1);
    expect((await history())[0]).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });

    const down = await receiver([500, 500, 500]);
    await addRule({ name: 'down', condition: { kind: 'session_cost', threshold: 0 }, webhook: { url: down.url } });
    await (await session('erin')).spend(0.1);
    const giving = new AlertDeliveryWorker(t.store, { maxAttempts: 2, backoffMs: () => 0 });
    await giving.deliverDue();
    await giving.deliverDue();
    await giving.deliverDue();
    expect(down.got).toHaveLength(2);
    const failed = (await history()).find((h) => h.status === 'failed');
    expect(failed).toMatchObject({ attempts: 2, last_error: 'the webhook answered 500' });
  });

  it('a webhook that cannot be reached is said so, and tried again', async () => {
    const gone = await receiver();
    const url = gone.url;
    await new Promise((r) => gone.server.close(r));
    servers.splice(servers.indexOf(gone.server), 1);
    await addRule({ name: 'gone', condition: { kind: 'session_cost', threshold: 0 }, webhook: { url } });
    await (await session('frank')).spend(0.1);
    await new AlertDeliveryWorker(t.store, { backoffMs: () => 60_000 }).deliverDue();
    expect((await history())[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await history())[0]?.last_error).toMatch(/^the webhook could not be reached/);
  });
});
