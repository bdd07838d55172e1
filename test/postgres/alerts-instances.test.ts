/**
 * Alerts with several instances on one PostgreSQL database (each a store with its own pool, as each
 * server instance has): batches stored through three of them at once that take one user over a
 * budget fire one alert, and the spend they count is exact; three delivery workers at once send
 * each alert once. Run by `pnpm test:postgres`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertDeliveryWorker, openStore, type Store } from '@agentops/server';
import { afterEach, expect, it } from 'vitest';
import { instancesPerTest } from '../helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const instances = instancesPerTest(openStore, 'p');
const threeInstances = async () => (await instances(3)) as [Store, Store, Store];

async function receiver(): Promise<{ url: string; ids: string[] }> {
  const ids: string[] = [];
  const server: Server = createServer((req, res) => {
    ids.push(String(req.headers['x-agentops-alert-id']));
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, ids };
}

function spend(store: Store, sessionId: string, batch: number, cost: number) {
  const at = new Date().toISOString();
  return store.writeSession('p', sessionId, {
    start: at,
    agents: [],
    events: Array.from({ length: 5 }, (_, i) => ({
      payload: {
        id: `${sessionId}-${batch}-${i}`,
        session_id: sessionId,
        event_type: 'llms' as const,
        model: 'm',
        init_timestamp: at,
        end_timestamp: at,
        cost,
      },
      cost,
    })),
  });
}

it("three instances storing one user's spend at once fire one alert, and count the spend exactly; it is sent once", async () => {
  const stores = await threeInstances();
  const [a] = stores;
  const hook = await receiver();
  await a.addAlertRule(
    'p',
    {
      name: 'budget',
      condition: { kind: 'spend', group_by: 'user', window: '24h', threshold: 5 },
      webhook: { url: hook.url, format: 'json' },
    },
    'secret',
  );
  const sessions = stores.map((_, i) => `alice-${i}`);
  const at = new Date().toISOString();
  for (const id of sessions) await a.upsertSession('p', { session_id: id, init_timestamp: at, user_id: 'alice' });
  // 3 instances x 10 batches x 5 events x $0.1 = $15: over the $5 limit from about a third of the way.
  await Promise.all(
    stores.map(async (store, i) => {
      for (let b = 0; b < 10; b++) await spend(store, sessions[i] as string, b, 0.1);
    }),
  );
  const alerts = await a.alerts('p', 10);
  expect(alerts).toHaveLength(1);
  const [budget] = await a.budgets('p', { user: 'alice' }, Date.now());
  expect(budget?.spent).toBe('15.000000');
  const workers = stores.map((s) => new AlertDeliveryWorker(s));
  await Promise.all(workers.map((w) => w.deliverDue()));
  expect(hook.ids).toEqual([alerts[0]?.alert.id]);
});

it('three delivery workers at once send each of 30 alerts once', async () => {
  const stores = await threeInstances();
  const [a] = stores;
  const hook = await receiver();
  await a.addAlertRule(
    'p',
    { name: 'any cost', condition: { kind: 'session_cost', threshold: 0 }, webhook: { url: hook.url, format: 'json' } },
    'secret',
  );
  for (let i = 0; i < 30; i++) await spend(a, `s-${i}`, 0, 0.01);
  expect(await a.alerts('p', 100)).toHaveLength(30);
  const delivered = await Promise.all(stores.map((s) => new AlertDeliveryWorker(s).deliverDue()));
  expect(delivered.reduce((x, y) => x + y, 0)).toBe(30);
  expect(hook.ids).toHaveLength(30);
  expect(new Set(hook.ids).size).toBe(30);
  expect((await a.alerts('p', 100)).every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
});
