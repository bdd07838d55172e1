/** Reading sessions back (API key): stats, export and the session list. */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventPayload, SessionExport, SessionLog, WireEndState } from '@agentops/exporter';
import type { FastifyInstance } from 'fastify';
import type { EventCursor, Store } from '../../db/Store.js';
import { evaluationSummaries, sessionStats } from '../../stats.js';
import { projectOf, requireProject } from '../auth.js';
import { badRequest, notFound } from '../replies.js';
import { listQuerySchema, pageQuerySchema, sessionParamsSchema } from '../schemas.js';
import { sessionWithStats, type V2Deps } from './deps.js';
import { timeRange } from './time-range.js';

export function registerReadRoutes(app: FastifyInstance, deps: V2Deps): void {
  const { store } = deps;
  const project = requireProject(store, deps.tokens);

  app.get<{ Params: { id: string } }>(
    '/v2/sessions/:id/stats',
    { schema: { params: sessionParamsSchema }, preHandler: project },
    async (request, reply) => {
      const result = await sessionWithStats(store, projectOf(request).id, request.params.id.toLowerCase());
      return result ? result.stats : notFound(reply);
    },
  );

  // Every evaluation name's summary, a page at a time: the stats give only the most frequent ones.
  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>(
    '/v2/sessions/:id/evaluation_scores',
    { schema: { params: sessionParamsSchema, querystring: pageQuerySchema }, preHandler: project },
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      if (!(await store.getSession(projectOf(request).id, id))) return notFound(reply);
      const { limit, offset } = request.query;
      const all = evaluationSummaries(await store.evaluationTotals(id));
      return { total: all.length, limit, offset, evaluation_scores: all.slice(offset, offset + limit) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v2/sessions/:id/export',
    { schema: { params: sessionParamsSchema }, preHandler: project },
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      const result = await sessionWithStats(store, projectOf(request).id, id);
      if (!result) return notFound(reply);
      return reply
        .type('application/json; charset=utf-8')
        .send(Readable.from(exportJson(store, deps.publicUrl, id, result), { highWaterMark: 1 }));
    },
  );

  app.get<{
    Querystring: {
      limit: number;
      offset: number;
      tag?: string;
      end_state?: WireEndState | 'running';
      user_id?: string;
      environment?: string;
      release?: string;
      forked_from?: string;
      id?: string;
      q?: string;
      from?: string;
      to?: string;
    };
  }>('/v2/sessions', { schema: { querystring: listQuerySchema }, preHandler: project }, async (request, reply) => {
    const { limit, offset, tag, end_state: endState, user_id: userId, environment, release, id, q } = request.query;
    const forkedFrom = request.query.forked_from?.toLowerCase();
    const range = timeRange(request.query);
    if (typeof range === 'string') return badRequest(reply, range);
    const page = await store.listSessions(projectOf(request).id, {
      limit,
      offset,
      tag,
      endState,
      userId,
      environment,
      release,
      ...(forkedFrom ? { forkedFrom } : {}),
      ...(id ? { idPrefix: id.toLowerCase() } : {}),
      ...(q ? { q } : {}),
      ...range,
    });
    return {
      total: page.total,
      limit,
      offset,
      // Each row's stats from its totals: a page costs the same whatever its sessions' sizes.
      sessions: await Promise.all(
        page.sessions.map(({ session, totals, agents }) => ({
          ...session,
          stats: sessionStats(session, totals, agents),
        })),
      ),
    };
  });
}

/** Events read and written per turn of the event loop while a session is exported. */
const EXPORT_PAGE = 1000;
const EXPORT_TYPES = ['llms', 'tools', 'actions', 'errors'] as const satisfies readonly EventPayload['event_type'][];

/**
 * A session's export (`SessionExport`) as JSON text, a page of events at a time with other requests
 * answered in between: the events are never all in memory, nor parsed, and a 100k-event session
 * does not hold up the server.
 */
async function* exportJson(
  store: Store,
  publicUrl: () => string,
  id: string,
  head: Pick<SessionExport, 'session' | 'stats'>,
): AsyncGenerator<string> {
  const links = await store.spanLinks(id);
  const agents = (await store.agents(id)).map((a) =>
    a.parent_span_id ? { ...a, parent_span_id: eventParent(a.parent_span_id, links) } : a,
  );
  yield `{"session":${JSON.stringify(head.session)},"stats":${JSON.stringify(head.stats)},"agents":${JSON.stringify(agents)}`;
  for (const type of EXPORT_TYPES) {
    yield* jsonArray(type, async (after) => {
      const page = await store.eventsJsonPage(id, type, after, EXPORT_PAGE);
      return links.size === 0 ? page : { ...page, json: page.json.map((json) => throughLinks(json, links)) };
    });
  }
  yield* jsonArray('evaluations', (after) => store.evaluationsJsonPage(id, after, EXPORT_PAGE));
  const logs: SessionLog[] = (await store.sessionUploads(id))
    .filter((u) => u.kind === 'logs')
    .map((u) => ({ id: u.id, size: u.size, uploaded_at: u.created_at, url: `${publicUrl()}/v4/uploads/${u.id}` }));
  yield `,"logs":${JSON.stringify(logs)}}`;
}

/** The span a parent stands for once the spans that are no events are seen through (at most 64 of them). */
function eventParent(parent: string, links: Map<string, string>): string {
  let span = parent;
  for (let i = 0; i < 64; i++) {
    const next = links.get(span);
    if (next === undefined) return span;
    span = next;
  }
  return span;
}

/**
 * An event's JSON text with its parent seen through the session's links (read whole: a nested
 * value may carry the same key); untouched when its parent is no link.
 */
function throughLinks(json: string, links: Map<string, string>): string {
  const event = JSON.parse(json) as { parent_span_id?: unknown };
  const parent = event.parent_span_id;
  if (typeof parent !== 'string' || !links.has(parent)) return json;
  event.parent_span_id = eventParent(parent, links);
  return JSON.stringify(event);
}

/** `,"key":[...]` from pages of JSON texts, the next page read on a later turn of the event loop. */
async function* jsonArray(
  key: string,
  page: (after: EventCursor | undefined) => Promise<{ json: string[]; next: EventCursor | undefined }>,
): AsyncGenerator<string> {
  yield `,"${key}":[`;
  let after: EventCursor | undefined;
  let first = true;
  do {
    if (after) await nextTurn();
    const { json, next } = await page(after);
    if (json.length > 0) yield (first ? '' : ',') + json.join(',');
    first = false;
    after = next;
  } while (after);
  yield ']';
}
