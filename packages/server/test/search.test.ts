/**
 * Full-text search of a project's sessions (`GET /v2/sessions?q=`) on a real store (SQLite's FTS5,
 * or PostgreSQL's tsvector under `pnpm test:postgres`): what agents said and were told, tool
 * arguments and results, errors and tags; every word in the session's events or tags; one project's
 * words never found with another's key; masked values never indexed; tags replaced when they change.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createProject } from '../src/auth/api-keys.js';
import { appPerTest } from './app-per-test.js';

const t = appPerTest();

const A = '50000000-0000-4000-8000-00000000000a';
const B = '50000000-0000-4000-8000-00000000000b';
const OTHER = '50000000-0000-4000-8000-00000000000c';
const AT = '2026-12-01T10:00:00Z';

async function session(
  id: string,
  tags: string[],
  events: Record<string, unknown>[],
  key = t.key,
  app = t.app,
): Promise<string> {
  const created = await app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: key,
    payload: { session: { session_id: id, init_timestamp: AT, tags } },
  });
  expect(created.statusCode).toBe(200);
  const jwt = created.json<{ jwt: string }>().jwt;
  const sent = await app.inject({
    method: 'POST',
    url: '/v2/create_events',
    headers: { authorization: `Bearer ${jwt}` },
    payload: { events },
  });
  expect(sent.statusCode).toBe(200);
  return jwt;
}

const event = (n: number, fields: Record<string, unknown>) => ({
  id: `60000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  init_timestamp: AT,
  end_timestamp: AT,
  ...fields,
});

async function search(q: string, key = t.key): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v2/sessions?q=${encodeURIComponent(q)}`, headers: key });
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json<{ sessions: { session_id: string }[] }>()
    .sessions.map((s) => s.session_id)
    .sort();
}

async function seed(): Promise<void> {
  const llm = event(1, {
    event_type: 'llms',
    model: 'gpt-4o-mini',
    prompt: [{ role: 'user', content: 'How do I reset my password?' }],
    completion: { role: 'assistant', content: 'Click the reset link in the email we sent.' },
  });
  const tool = event(2, {
    event_type: 'tools',
    name: 'lookup_invoice',
    params: { invoice: 'INV-4242' },
    returns: { status: 'Paid in full' },
  });
  await session(A, ['billing'], [llm, tool]);
  await session(
    B,
    [],
    [event(3, { event_type: 'errors', error_type: 'ConnectionError', details: 'refused by the database replica' })],
  );
}

describe('GET /v2/sessions?q=', () => {
  it('finds the sessions whose events and tags hold every word, in any case and order', async () => {
    await seed();
    expect(await search('password')).toEqual([A]);
    expect(await search('PASSWORD reset')).toEqual([A]);
    expect(await search('replica')).toEqual([B]);
    // Tool arguments and results, and a tool's name.
    expect(await search('inv 4242')).toEqual([A]);
    expect(await search('paid')).toEqual([A]);
    expect(await search('lookup_invoice')).toEqual([A]);
    // Error types and details.
    expect(await search('connectionerror')).toEqual([B]);
    // Every word in the session: these two are in two sessions; these in two events of one, and a tag.
    expect(await search('password replica')).toEqual([]);
    expect(await search('password paid')).toEqual([A]);
    expect(await search('billing inv 4242')).toEqual([A]);
    expect(await search('billing replica')).toEqual([]);
    expect(await search('nowhere')).toEqual([]);
    // Punctuation only: no word to search for, nothing found (not everything).
    expect(await search('?!')).toEqual([]);
    // With the other filters, and counted.
    const res = await t.app.inject({ method: 'GET', url: '/v2/sessions?q=password&tag=billing', headers: t.key });
    expect(res.json()).toMatchObject({ total: 1, sessions: [{ session_id: A }] });
  });

  it("finds tags, and a session's new tags in place of its old ones", async () => {
    const jwt = await session(A, ['billing', 'vip'], []);
    expect(await search('vip')).toEqual([A]);
    const updated = await t.app.inject({
      method: 'POST',
      url: '/v2/update_session',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { session: { session_id: A, init_timestamp: AT, tags: ['support'] } },
    });
    expect(updated.statusCode).toBe(200);
    expect(await search('vip')).toEqual([]);
    expect(await search('support')).toEqual([A]);
    // An update without tags keeps them, and their document.
    await t.app.inject({
      method: 'POST',
      url: '/v2/update_session',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { session: { session_id: A, init_timestamp: AT, end_state: 'Success' } },
    });
    expect(await search('support')).toEqual([A]);
  });

  it("never finds another project's sessions, and a retried batch is indexed once", async () => {
    await seed();
    const other = await createProject(t.store, 'other');
    const otherKey = { 'x-agentops-api-key': other.apiKey };
    await session(OTHER, ['billing'], [event(9, { event_type: 'llms', prompt: 'my password is hunter2' })], otherKey);
    expect(await search('password')).toEqual([A]);
    expect(await search('hunter2')).toEqual([]);
    expect(await search('hunter2', otherKey)).toEqual([OTHER]);
    // The same events sent again: stored once, found once.
    await session(B, [], [event(3, { event_type: 'errors', details: 'refused by the database replica' })]);
    const res = await t.app.inject({ method: 'GET', url: '/v2/sessions?q=replica', headers: t.key });
    expect(res.json()).toMatchObject({ total: 1 });
  });

  it('indexes a batch of many long events (more words than one PostgreSQL tsvector holds) and skips runs of letters no one searches for', async () => {
    // 40 events of 32 kB of distinct words each: 1.3 MB of words in one batch.
    const events = Array.from({ length: 40 }, (_, i) =>
      event(100 + i, {
        event_type: 'tools',
        name: 'scan',
        params: Array.from({ length: 4000 }, (_, j) => `w${i}x${j}`).join(' '),
      }),
    );
    // PostgreSQL refuses a lexeme over 2 kB.
    events.push(event(200, { event_type: 'tools', name: 'hash', returns: `${'z'.repeat(3000)} digest` }));
    await session(A, [], events);
    expect(await search('w0x1')).toEqual([A]);
    expect(await search('w39x3000 w20x5 digest')).toEqual([A]);
    // A run of letters longer than any word: not a word of the search either.
    expect(await search(`${'z'.repeat(300)} digest`)).toEqual([A]);
    expect(await search('z'.repeat(300))).toEqual([]);
  });

  it('refuses an empty or too long search with a 400', async () => {
    for (const q of ['', 'x'.repeat(513)]) {
      const res = await t.app.inject({ method: 'GET', url: `/v2/sessions?q=${q}`, headers: t.key });
      expect(res.statusCode).toBe(400);
    }
  });
});

describe('a server with a mask', () => {
  it('never indexes a masked value: what is searched is what was stored', async () => {
    const app = await buildApp(t.store, {
      publicUrl: () => 'http://local',
      mask: [{ pattern: 'sk-[a-z0-9]+', action: 'redact' }],
    });
    try {
      await session(
        A,
        [],
        [event(1, { event_type: 'llms', prompt: 'call the API with sk-canary77 please' })],
        t.key,
        app,
      );
      const found = async (q: string) =>
        (await app.inject({ method: 'GET', url: `/v2/sessions?q=${q}`, headers: t.key })).json<{ total: number }>()
          .total;
      expect(await found('canary77')).toBe(0);
      expect(await found('please')).toBe(1);
      expect(await found('redacted')).toBe(1);
    } finally {
      await app.close();
    }
  });
});
