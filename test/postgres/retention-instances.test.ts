/**
 * Retention run by several instances on one PostgreSQL database at once (each a store with its own
 * pool of connections, as each server instance has): every expired session and event is deleted
 * once and counted once across them, the payload budget takes each event's payload once, and a
 * session written meanwhile loses nothing. Run by `pnpm test:postgres`.
 */
import { openStore, runRetention, type Store } from '@agentops/server';
import { expect, it } from 'vitest';
import { instancesPerTest } from '../helpers/stores.js';

const DAY = 86_400_000;
const projectId = 'retention-project';
const instances = instancesPerTest(openStore, projectId);

function events(sessionId: string, n: number, at: string, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    payload: {
      id: `${sessionId}-${String(from + i).padStart(6, '0')}`,
      session_id: sessionId,
      event_type: 'llms' as const,
      model: 'gpt-4o-mini',
      prompt: `question ${i} ${'lorem ipsum '.repeat(40)}`,
      completion: `answer ${i}`,
      prompt_tokens: 10,
      init_timestamp: at,
      end_timestamp: at,
    },
    cost: 0.001,
  }));
}

async function seed(store: Store, projectId: string, id: string, ageDays: number, n: number): Promise<void> {
  const at = new Date(Date.now() - ageDays * DAY).toISOString();
  await store.writeSession(projectId, id, {
    session: { session_id: id, init_timestamp: at, end_timestamp: at, end_state: 'Success' },
    start: at,
    agents: [],
    events: events(id, n, at),
  });
}

const sum = (works: { [k: string]: number }[], k: string) => works.reduce((n, w) => n + (w[k] ?? 0), 0);

it('three instances purging at once delete each expired session and event once, while a live session is written', async () => {
  const [a, b, c] = (await instances(3)) as [Store, Store, Store];
  const expired = Array.from({ length: 12 }, (_, i) => `expired-${i}`);
  for (const id of expired) await seed(a, projectId, id, 30, 250);
  await seed(a, projectId, 'recent', 1, 50);
  await a.setRetentionPolicy(projectId, { keep_days: { Success: 7 } });
  const now = new Date().toISOString();
  await a.writeSession(projectId, 'live', { start: now, agents: [], events: [] });

  // A live session written through one instance while the three purge.
  const writing = (async () => {
    for (let batch = 0; batch < 40; batch++) {
      await c.writeSession(projectId, 'live', { start: now, agents: [], events: events('live', 25, now, batch * 25) });
    }
  })();
  const works = await Promise.all([a, b, c].map((s) => runRetention(s, { stepLimit: 100 })));
  await writing;

  expect(sum(works, 'deleted_sessions')).toBe(12);
  expect(sum(works, 'deleted_events')).toBe(12 * 250);
  // The work was shared (each instance took steps), yet nothing was counted twice.
  expect(works.filter((w) => w.deleted_events > 0).length).toBeGreaterThan(1);
  for (const id of expired) expect(await b.getSession(projectId, id)).toBeUndefined();
  expect(Number((await b.sessionTotals('recent'))?.llm_calls)).toBe(50);
  expect(Number((await b.sessionTotals('live'))?.llm_calls)).toBe(1000);
  // Nothing of theirs is left behind in any table.
  const list = await b.listSessions(projectId, { limit: 100, offset: 0 });
  expect(list.sessions.map((s) => s.session.session_id).sort()).toEqual(['live', 'recent']);
});

it('three instances over the payload budget take each event payload once, and stop within it', async () => {
  const [a, b, c] = (await instances(3)) as [Store, Store, Store];
  for (let i = 0; i < 6; i++) await seed(a, projectId, `s-${i}`, 20 - i, 200);
  const total = (await a.retentionPreview(projectId, { keep_days: {} }, Date.now())).payload_bytes;
  // Room for about four sessions: the two oldest lose their payloads.
  const policy = { keep_days: {}, payload_bytes: Math.round((total / 6) * 4.2) };
  await a.setRetentionPolicy(projectId, policy);
  const works = await Promise.all([a, b, c].map((s) => runRetention(s, { stepLimit: 50 })));
  // The oldest sessions lost every payload, the newest none; each event counted once.
  const removed: number[] = [];
  for (let i = 0; i < 6; i++) {
    const { json } = await a.eventsJsonPage(`s-${i}`, 'llms', undefined, 1000);
    removed.push(json.filter((e) => JSON.parse(e).payload_removed === true).length);
  }
  const whole = removed.filter((n) => n === 200).length;
  expect(whole).toBeGreaterThanOrEqual(2);
  expect(removed).toEqual([...Array(whole).fill(200), ...Array(6 - whole).fill(0)]);
  expect(sum(works, 'stripped_events')).toBe(whole * 200);
  const after = await a.retentionPreview(projectId, policy, Date.now());
  expect(after.payload_bytes).toBeLessThanOrEqual(policy.payload_bytes);
  expect(after.payload_bytes).toBe(total - sum(works, 'freed_bytes'));
});
