/**
 * Retention on a real store (SQLite, or PostgreSQL under `pnpm test:postgres`): a project's policy
 * set and read through the API (bad ones refused with what is wrong), sessions past their time by
 * end state deleted whole (events, search words, evaluations, agents) in many small steps, the
 * payload budget taking the oldest ended sessions' payloads (totals, tokens and costs kept, their
 * words no longer found), a preview that says what a run removes, and a second run removing nothing.
 */
import { describe, expect, it } from 'vitest';
import { createProject } from '../src/auth/api-keys.js';
import { withoutPayload } from '../src/retention/payload.js';
import { parseBytes, parseDays, parseRetentionPolicy } from '../src/retention/policy.js';
import { RetentionWorker, runRetention } from '../src/retention/RetentionWorker.js';
import { appPerTest } from './app-per-test.js';

const t = appPerTest();

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-05T12:00:00Z');
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();

let eventNo = 0;

/** A session started and ended `days` ago (not ended when `end` is null), with an LLM call and a tool call saying `word`. */
async function session(
  id: string,
  days: number,
  end: 'Success' | 'Fail' | 'Indeterminate' | null,
  word: string,
  key = t.key,
): Promise<void> {
  const at = ago(days);
  const created = await t.app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: key,
    payload: { session: { session_id: id, init_timestamp: at, tags: [`tag${word}`] } },
  });
  expect(created.statusCode).toBe(200);
  const auth = { authorization: `Bearer ${created.json<{ jwt: string }>().jwt}` };
  const event = (fields: Record<string, unknown>) => ({
    id: `70000000-0000-4000-8000-${String(++eventNo).padStart(12, '0')}`,
    init_timestamp: at,
    end_timestamp: at,
    ...fields,
  });
  const events = [
    event({
      event_type: 'llms',
      model: 'gpt-4o-mini',
      prompt: [{ role: 'user', content: `tell me about ${word} ${'padding '.repeat(500)}` }],
      completion: { role: 'assistant', content: `${word} is fine` },
      prompt_tokens: 120,
      completion_tokens: 8,
      cost: 0.25,
    }),
    event({ event_type: 'tools', name: 'lookup', params: { q: word }, returns: { found: word } }),
    event({ event_type: 'errors', error_type: 'Timeout', details: `${word} timed out` }),
  ];
  const sent = await t.app.inject({ method: 'POST', url: '/v2/create_events', headers: auth, payload: { events } });
  expect(sent.statusCode).toBe(200);
  const evaluated = await t.app.inject({
    method: 'POST',
    url: '/v2/create_evaluations',
    headers: auth,
    payload: { evaluations: [{ name: 'helpful', score: 1, timestamp: at }] },
  });
  expect(evaluated.statusCode, evaluated.body).toBe(200);
  if (end) {
    const ended = await t.app.inject({
      method: 'POST',
      url: '/v2/update_session',
      headers: auth,
      payload: { session: { session_id: id, init_timestamp: at, end_timestamp: at, end_state: end } },
    });
    expect(ended.statusCode).toBe(200);
  }
}

async function found(q: string): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v2/sessions?q=${q}`, headers: t.key });
  return res
    .json<{ sessions: { session_id: string }[] }>()
    .sessions.map((s) => s.session_id)
    .sort();
}

async function exported(id: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v2/sessions/${id}/export`, headers: t.key });
  return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : undefined };
}

const id = (n: number) => `71000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('retention policies', () => {
  it('are checked whole, with what is wrong said', () => {
    expect(parseRetentionPolicy({ keep_days: { Success: 14, Fail: 90 }, payload_bytes: 5e9 })).toEqual({
      keep_days: { Success: 14, Fail: 90 },
      payload_bytes: 5e9,
    });
    expect(() => parseRetentionPolicy({ keep_days: { Sucess: 14 } })).toThrow(/keep_days.Sucess: not a kind/);
    expect(() => parseRetentionPolicy({ keep_days: { Fail: 0 } })).toThrow(/above 0/);
    expect(() => parseRetentionPolicy({ payload_bytes: -1 })).toThrow(/payload_bytes/);
    expect(() => parseRetentionPolicy({ keep: {} })).toThrow(/no field "keep"/);
    expect(() => parseRetentionPolicy([])).toThrow(/is an object/);
    expect(parseDays('--success', '14d')).toBe(14);
    expect(parseDays('--success', '2w')).toBe(14);
    expect(parseDays('--success', '36h')).toBe(1.5);
    expect(() => parseDays('--success', 'soon')).toThrow(/--success takes a duration/);
    expect(parseBytes('--payload-bytes', '5GB')).toBe(5e9);
    expect(parseBytes('--payload-bytes', '2KiB')).toBe(2048);
    expect(() => parseBytes('--payload-bytes', 'lots')).toThrow(/--payload-bytes takes a size/);
  });

  it('remove what an event was sent and got, keeping what it was', () => {
    const data = JSON.stringify({
      id: 'e',
      event_type: 'llms',
      model: 'm',
      prompt: 'p',
      completion: 'c',
      prompt_tokens: 3,
    });
    const stripped = withoutPayload(data) as string;
    expect(JSON.parse(stripped)).toEqual({
      id: 'e',
      event_type: 'llms',
      model: 'm',
      prompt_tokens: 3,
      payload_removed: true,
    });
    expect(withoutPayload(stripped)).toBeUndefined();
    expect(withoutPayload(JSON.stringify({ id: 'e', event_type: 'tools', name: 'x' }))).toBeUndefined();
    expect(withoutPayload('not json')).toBeUndefined();
  });

  it('are set, read and removed through the API; a bad one is refused with a 400 that says why', async () => {
    const empty = await t.app.inject({ method: 'GET', url: '/v2/retention', headers: t.key });
    expect(empty.json()).toEqual({ policy: null, preview: null });
    for (const [payload, message] of [
      [{ keep_days: { Success: -3 } }, /keep_days/],
      [{ keep_days: { Succes: 3 } }, /keep_days/],
      [{ payload_bytes: 1.5 }, /payload_bytes/],
      [{ retain: true }, /retain|additional/],
    ] as const) {
      const res = await t.app.inject({ method: 'PUT', url: '/v2/retention', headers: t.key, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v2/retention',
      headers: t.key,
      payload: { keep_days: { Success: 14 }, payload_bytes: 1_000_000 },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      policy: { keep_days: { Success: 14 }, payload_bytes: 1_000_000 },
      preview: { expired_events: 0, payload_budget: 1_000_000 },
    });
    // One project's policy is its own.
    const other = await createProject(t.store, 'other');
    const theirs = await t.app.inject({
      method: 'GET',
      url: '/v2/retention',
      headers: { 'x-agentops-api-key': other.apiKey },
    });
    expect(theirs.json()).toEqual({ policy: null, preview: null });
    const removed = await t.app.inject({ method: 'DELETE', url: '/v2/retention', headers: t.key });
    expect(removed.json()).toEqual({ policy: null, preview: null });
    expect(await t.store.retentionPolicy(t.projectId)).toBeUndefined();
    // Without a key, nothing.
    expect((await t.app.inject({ method: 'GET', url: '/v2/retention' })).statusCode).toBe(401);
  });
});

describe('retention runs', () => {
  it('delete the sessions past their time for their end state, whole, in small steps', async () => {
    await session(id(1), 20, 'Success', 'alpha'); // past 14 days: goes
    await session(id(2), 20, 'Fail', 'bravo'); // Fail kept 90 days
    await session(id(3), 2, 'Success', 'charlie'); // recent
    await session(id(4), 40, null, 'delta'); // never ended, quiet 40 days: past 30
    await session(id(5), 100, 'Indeterminate', 'echo'); // no rule for Indeterminate: kept
    const other = await createProject(t.store, 'other');
    await session(id(6), 400, 'Success', 'foxtrot', { 'x-agentops-api-key': other.apiKey }); // no policy there
    const policy = parseRetentionPolicy({ keep_days: { Success: 14, Fail: 90, unended: 30 } });
    await t.store.setRetentionPolicy(t.projectId, policy);

    const preview = await t.store.retentionPreview(t.projectId, policy, NOW);
    expect(preview).toMatchObject({ expired_sessions: { Success: 1, unended: 1 }, expired_events: 6 });

    // Two events a step: each session takes several steps, each a transaction of its own.
    const work = await runRetention(t.store, { now: NOW, stepLimit: 2 });
    expect(work).toEqual({ deleted_sessions: 2, deleted_events: 6, stripped_events: 0, freed_bytes: 0 });

    for (const gone of [id(1), id(4)]) expect((await exported(gone)).status).toBe(404);
    for (const kept of [id(2), id(3), id(5)]) {
      const { body } = await exported(kept);
      expect(body.llms).toHaveLength(1);
      expect(body.tools).toHaveLength(1);
      expect(body.evaluations).toHaveLength(1);
    }
    // Their words are gone from the search, tags too; the others' are found.
    expect(await found('alpha')).toEqual([]);
    expect(await found('tagdelta')).toEqual([]);
    expect(await found('bravo')).toEqual([id(2)]);
    const list = await t.app.inject({ method: 'GET', url: '/v2/sessions', headers: t.key });
    expect(list.json().total).toBe(3);
    // Another project's sessions are its policy's business.
    expect(await t.store.getSession(other.project.id, id(6))).toBeDefined();
    // Nothing is left to do: a second run removes nothing.
    expect(await runRetention(t.store, { now: NOW })).toEqual({
      deleted_sessions: 0,
      deleted_events: 0,
      stripped_events: 0,
      freed_bytes: 0,
    });
  });

  it("take the oldest ended sessions' payloads past the budget, keeping their totals", async () => {
    await session(id(11), 30, 'Success', 'golf');
    await session(id(12), 20, 'Fail', 'hotel');
    await session(id(13), 10, 'Success', 'india');
    await session(id(14), 40, null, 'juliet'); // never ended, but quiet for 40 days: a candidate too
    const before = await t.app.inject({ method: 'GET', url: `/v2/sessions/${id(11)}/stats`, headers: t.key });
    const perSession = Number((await t.store.retentionPreview(t.projectId, { keep_days: {} }, NOW)).payload_bytes) / 4;
    // Room for a little more than two sessions: the two oldest quiet ones lose their payloads.
    const policy = parseRetentionPolicy({ keep_days: {}, payload_bytes: Math.round(perSession * 2.5) });
    await t.store.setRetentionPolicy(t.projectId, policy);
    const preview = await t.store.retentionPreview(t.projectId, policy, NOW);
    expect(preview.payload_sessions).toBe(2);

    const work = await runRetention(t.store, { now: NOW, stepLimit: 1 });
    expect(work.deleted_sessions).toBe(0);
    expect(work.stripped_events).toBe(6);
    expect(work.freed_bytes).toBeGreaterThan(perSession);

    // The oldest (the unended one, quiet for 40 days, then the one of 30 days ago) keep metadata only.
    for (const stripped of [id(14), id(11)]) {
      const { body } = await exported(stripped);
      expect(body.llms[0]).toMatchObject({ model: 'gpt-4o-mini', prompt_tokens: 120, payload_removed: true });
      expect(body.llms[0].prompt).toBeUndefined();
      expect(body.llms[0].completion).toBeUndefined();
      expect(body.tools[0]).toMatchObject({ name: 'lookup', payload_removed: true });
      expect(body.tools[0].params).toBeUndefined();
      expect(body.errors[0]).toMatchObject({ error_type: 'Timeout', payload_removed: true });
      expect(body.errors[0].details).toBeUndefined();
    }
    const after = await t.app.inject({ method: 'GET', url: `/v2/sessions/${id(11)}/stats`, headers: t.key });
    expect(after.json()).toEqual(before.json());
    // What was said there is no longer found; the tags are metadata, kept.
    expect(await found('golf')).toEqual([]);
    expect(await found('juliet')).toEqual([]);
    expect(await found('taggolf')).toEqual([id(11)]);
    expect(await found('hotel')).toEqual([id(12)]);
    const { body: kept } = await exported(id(13));
    expect(kept.llms[0].prompt[0].content).toContain('india');
    // Within budget now: nothing more goes.
    expect((await t.store.retentionPreview(t.projectId, policy, NOW)).payload_sessions).toBe(0);
    expect((await runRetention(t.store, { now: NOW })).stripped_events).toBe(0);
  });

  it("run in the server's background worker, and stop with it", async () => {
    await session(id(21), 20, 'Success', 'kilo');
    await t.store.setRetentionPolicy(t.projectId, { keep_days: { Success: 1 } });
    const passes: unknown[] = [];
    const worker = new RetentionWorker(t.store, { intervalMs: 60_000, onPass: (w) => passes.push(w) });
    worker.start(0);
    await expect.poll(() => passes.length).toBe(1);
    await worker.stop();
    expect(passes[0]).toMatchObject({ deleted_sessions: 1, deleted_events: 3 });
    expect((await exported(id(21))).status).toBe(404);
  });
});
