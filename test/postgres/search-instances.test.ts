/**
 * Full-text search with several instances on one PostgreSQL database: events stored through two
 * stores (each with its own pool, as each server instance has) into the same sessions at once are
 * found through either, each session once, and a session's tags replaced through one are searched
 * as replaced through the other. Run by `pnpm test:postgres`.
 */
import { openStore, type Store } from '@agentops/server';
import { expect, it } from 'vitest';
import { instancesPerTest } from '../helpers/stores.js';

const instances = instancesPerTest(openStore, 'p');

it('what two instances store at once is found through either, each session once', async () => {
  const [a, b] = (await instances(2)) as [Store, Store];
  const at = new Date().toISOString();
  const sessions = Array.from({ length: 6 }, (_, i) => `session-${i}`);
  // Each session written through both instances at once, batch after batch.
  await Promise.all(
    [a, b].map(async (store, k) => {
      for (const id of sessions) {
        await store.writeSession('p', id, {
          session: { session_id: id, init_timestamp: at, tags: [`tag${k}`] },
          start: at,
          agents: [],
          events: Array.from({ length: 20 }, (_, i) => ({
            payload: {
              id: `${id}-${k}-${i}`,
              session_id: id,
              event_type: 'tools' as const,
              name: 'lookup',
              params: { q: `${k === 0 ? 'alpha' : 'bravo'} ${id.replace('-', '')} item${i}` },
              init_timestamp: at,
              end_timestamp: at,
            },
            cost: null,
          })),
        });
      }
    }),
  );
  const found = async (store: Store, q: string) =>
    (await store.listSessions('p', { limit: 50, offset: 0, q })).sessions.map((s) => s.session.session_id).sort();
  for (const store of [a, b]) {
    expect(await found(store, 'alpha')).toEqual(sessions);
    expect(await found(store, 'bravo')).toEqual(sessions);
    expect(await found(store, 'bravo session3 item7')).toEqual(['session-3']);
    expect((await store.listSessions('p', { limit: 50, offset: 0, q: 'lookup' })).total).toBe(6);
  }
  // The tags last written win, whichever instance wrote them, and only they are found.
  await b.upsertSession('p', { session_id: 'session-0', init_timestamp: at, tags: ['renamed'] });
  expect(await found(a, 'renamed')).toEqual(['session-0']);
  expect(await found(a, 'tag0')).not.toContain('session-0');
  expect(await found(a, 'tag1')).not.toContain('session-0');
});
