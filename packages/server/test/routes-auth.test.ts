/**
 * The server's own pieces on a real store (SQLite in memory, or PostgreSQL): the auth preHandlers in front of the v2
 * routes (through Fastify's inject, no socket), the bearer-token parse, and how ingest normalizes a
 * session.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/helpers/stores.js';
import { buildApp } from '../src/app.js';
import { createProject } from '../src/auth/api-keys.js';
import { SessionTokens } from '../src/auth/SessionTokens.js';
import { openStore } from '../src/db/open-store.js';
import type { Store } from '../src/db/Store.js';
import { BadInput, Ingest } from '../src/ingest.js';
import { apiKeyOf, bearerToken } from '../src/routes/auth.js';

const SESSION = '0af76519-16cd-43dd-8448-eb211c80319c';
const OTHER = '1af76519-16cd-43dd-8448-eb211c80319c';

let store: Store;
let closeStore: () => Promise<void>;
let app: FastifyInstance;
let apiKey: string;
let projectId: string;

beforeEach(async () => {
  ({ store, close: closeStore } = await openTestStore(openStore));
  const made = await createProject(store, 'test');
  apiKey = made.apiKey;
  projectId = made.project.id;
  app = await buildApp(store, { publicUrl: () => 'http://local' });
});
afterEach(async () => {
  await app.close();
  await closeStore();
});

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe('credentials in headers', () => {
  const cases: [string, Record<string, string>, string | undefined, string | undefined][] = [
    ['bearer token', { authorization: 'Bearer abc' }, 'abc', 'abc'],
    ['scheme in any case, spaces trimmed', { authorization: 'bEaReR   abc  ' }, 'abc', 'abc'],
    ['empty bearer', { authorization: 'Bearer ' }, undefined, undefined],
    ['another scheme', { authorization: 'Basic abc' }, undefined, undefined],
    ['api key header wins for the key', { 'x-agentops-api-key': 'k', authorization: 'Bearer t' }, 't', 'k'],
    ['nothing', {}, undefined, undefined],
  ];
  it.each(cases)('%s', (_name, headers, token, key) => {
    expect(bearerToken(request(headers))).toBe(token);
    expect(apiKeyOf(request(headers))).toBe(key);
  });
});

async function createSession(id = SESSION): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: '/v2/create_session',
    headers: { 'x-agentops-api-key': apiKey },
    payload: { session: { session_id: id, init_timestamp: '2024-05-01T12:00:00Z' } },
  });
  expect(r.statusCode).toBe(200);
  return r.json<{ jwt: string }>().jwt;
}

const agent = (authorization?: string) =>
  app.inject({
    method: 'POST',
    url: '/v2/create_agent',
    headers: authorization ? { authorization } : {},
    payload: { id: 'a-1', name: 'planner' },
  });

describe('requireProject', () => {
  it('answers 401 for a missing or unknown key, and lets a known key through', async () => {
    const stats = (headers: Record<string, string>) => app.inject({ url: `/v2/sessions/${SESSION}/stats`, headers });
    expect((await stats({})).json()).toMatchObject({ statusCode: 401, message: 'Invalid API key' });
    expect((await stats({ 'x-agentops-api-key': 'nope' })).statusCode).toBe(401);
    expect((await stats({ 'x-agentops-api-key': apiKey })).statusCode).toBe(404);
    await createSession();
    expect((await stats({ authorization: `Bearer ${apiKey}` })).statusCode).toBe(200);
  });
});

describe('requireSession', () => {
  it('answers 401 without a token and for a bad one', async () => {
    expect((await agent()).json()).toMatchObject({ statusCode: 401, message: 'Missing bearer token' });
    expect((await agent('Bearer not-a-jwt')).json()).toMatchObject({ statusCode: 401, message: 'Invalid Token' });
  });

  it("answers 401 'Expired Token' for an expired one", async () => {
    await createSession();
    const expired = await (await SessionTokens.load(store, -10)).sign({ sessionId: SESSION, projectId });
    expect((await agent(`Bearer ${expired}`)).json()).toMatchObject({ statusCode: 401, message: 'Expired Token' });
  });

  it("answers 404 when the token's session is not its project's", async () => {
    const token = await (await SessionTokens.load(store)).sign({ sessionId: OTHER, projectId });
    expect((await agent(`Bearer ${token}`)).statusCode).toBe(404);
    const stranger = (await createProject(store, 'other')).project.id;
    await createSession();
    const foreign = await (await SessionTokens.load(store)).sign({ sessionId: SESSION, projectId: stranger });
    expect((await agent(`Bearer ${foreign}`)).statusCode).toBe(404);
  });

  it("lets the session's own token through, to the session it names", async () => {
    const jwt = await createSession();
    expect((await agent(`Bearer ${jwt}`)).statusCode).toBe(200);
    expect(await store.agents(SESSION)).toEqual([{ id: 'a-1', name: 'planner' }]);
    const update = await app.inject({
      method: 'POST',
      url: '/v2/update_session',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { session: { session_id: OTHER, init_timestamp: '2024-05-01T12:00:00Z' } },
    });
    expect(update.statusCode).toBe(400);
  });
});

describe('Ingest.normalizeSession', () => {
  const ingest = () => new Ingest(store, undefined);

  it("spells a failure 'Fail' and keeps the other end states", () => {
    const base = { session_id: SESSION.toUpperCase(), init_timestamp: '2024-05-01T12:00:00Z' };
    for (const [given, stored] of [
      ['Failure', 'Fail'],
      ['Fail', 'Fail'],
      ['Success', 'Success'],
      ['Indeterminate', 'Indeterminate'],
      [null, null],
    ] as const) {
      const s = ingest().normalizeSession({ ...base, end_state: given as never });
      expect(s.end_state).toBe(stored);
      expect(s.session_id).toBe(SESSION);
    }
  });

  it('refuses unreadable timestamps with the field in the message', () => {
    expect(() => ingest().normalizeSession({ session_id: SESSION, init_timestamp: 'yesterday' })).toThrow(BadInput);
    expect(() =>
      ingest().normalizeSession({
        session_id: SESSION,
        init_timestamp: '2024-05-01T12:00:00Z',
        end_timestamp: 'later',
      }),
    ).toThrow(/end_timestamp/);
  });
});
