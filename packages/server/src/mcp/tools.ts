/**
 * The read-only tools the MCP server offers over one project's sessions: what a coding agent needs
 * to answer "what did my agent do, what did it cost, why did it fail". Each is data (a name, what
 * it is for, the JSON Schema of its arguments) and a function of the read API. Answers are JSON;
 * long texts (prompts, completions, tool results) are cut to a length the caller may raise.
 */
import { type EndState, fromWireEndState, type SessionExport, toWireEndState } from '@agentops/exporter';
import type { ApiGet } from './reader.js';

export interface Tool {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, object>; required?: string[]; additionalProperties: false };
  run(get: ApiGet, args: Record<string, unknown>): Promise<unknown>;
}

const sessionId = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'The session id (a UUID).',
};
const maxText = {
  type: 'integer',
  minimum: 20,
  maximum: 100_000,
  default: 2000,
  description: 'Longest text kept in a field (prompts, completions, arguments, results); longer ones are cut.',
};
const time = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'An ISO 8601 time, e.g. 2026-12-01T00:00:00Z.',
};

type EventKind = 'llms' | 'tools' | 'actions' | 'errors';
const KINDS: EventKind[] = ['llms', 'tools', 'actions', 'errors'];

/** `value` with every string longer than `max` cut, saying how long it was. */
export function cutTexts(value: unknown, max: number): unknown {
  if (typeof value === 'string')
    return value.length > max ? `${value.slice(0, max)}… [cut: ${value.length} characters in all]` : value;
  if (Array.isArray(value)) return value.map((v) => cutTexts(v, max));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutTexts(v, max)]));
  return value;
}

function query(params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The wire says `Fail`; people and AgentOps' documents say Failure. A session not ended: running. */
function endStateName(state: string | null | undefined): string {
  return fromWireEndState(state) ?? 'running';
}

type AnyEvent = SessionExport[EventKind][number] & { init_timestamp?: string };

/** The session's events of `kinds`, oldest first, each with its kind. */
function eventsOf(data: SessionExport, kinds: EventKind[]): (AnyEvent & { kind: EventKind })[] {
  return kinds
    .flatMap((kind) => (data[kind] as AnyEvent[]).map((e) => ({ ...e, kind })))
    .sort((a, b) => String(a.init_timestamp).localeCompare(String(b.init_timestamp)));
}

function summary(data: SessionExport) {
  const { session, stats } = data;
  return {
    session_id: session.session_id,
    name: session.name ?? null,
    started: session.init_timestamp,
    ended: session.end_timestamp ?? null,
    end_state: endStateName(session.end_state),
    end_state_reason: session.end_state_reason ?? null,
    tags: session.tags ?? [],
    user_id: session.user_id ?? null,
    environment: session.environment ?? null,
    release: session.release ?? null,
    host_env: session.host_env ?? null,
    stats,
    agents: data.agents.map((a) => ({ id: a.id, name: a.name })),
    models: [...new Set(data.llms.map((l) => l.model).filter((m): m is string => Boolean(m)))],
    tools_used: [...new Set(data.tools.map((t) => t.name).filter((n): n is string => Boolean(n)))],
    evaluations: (data.evaluations ?? []).map((e) => ({
      name: e.name,
      score: e.score ?? null,
      label: e.label ?? null,
    })),
  };
}

/** What `list_sessions` and `search_sessions` filter by. */
const LIST_FILTERS = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
  offset: { type: 'integer', minimum: 0, default: 0 },
  tag: { type: 'string', maxLength: 512 },
  end_state: { type: 'string', enum: ['Success', 'Failure', 'Indeterminate', 'running'] },
  user_id: { type: 'string', maxLength: 512 },
  environment: { type: 'string', maxLength: 512 },
  release: { type: 'string', maxLength: 512 },
  from: { ...time, description: 'Sessions started at or after this time (ISO 8601).' },
  to: { ...time, description: 'Sessions started before this time (ISO 8601).' },
};

async function listSessions(get: ApiGet, args: Record<string, unknown>, q?: string) {
  const { sessions, total } = await get<{ sessions: Record<string, unknown>[]; total: number }>(
    `/v2/sessions${query({
      limit: args.limit ?? 20,
      offset: args.offset,
      tag: args.tag,
      end_state:
        args.end_state === undefined || args.end_state === 'running'
          ? args.end_state
          : toWireEndState(args.end_state as EndState),
      user_id: args.user_id,
      environment: args.environment,
      release: args.release,
      from: args.from,
      to: args.to,
      q,
    })}`,
  );
  return { total, sessions: sessions.map((s) => ({ ...s, end_state: endStateName(s.end_state as string | null) })) };
}

const exportOf = (get: ApiGet, id: unknown) => get<SessionExport>(`/v2/sessions/${String(id).toLowerCase()}/export`);

export const TOOLS: Tool[] = [
  {
    name: 'list_sessions',
    title: 'List sessions',
    description:
      "Lists the project's sessions, newest first, with their end state, tags, user, counts and cost. " +
      'Filter by tag, end state, user id, environment, release or start time; page with limit and offset.',
    inputSchema: { type: 'object', additionalProperties: false, properties: LIST_FILTERS },
    run: (get, args) => listSessions(get, args),
  },
  {
    name: 'search_sessions',
    title: 'Search sessions',
    description:
      'Full-text search: the sessions whose events and tags hold every word of the query (in a prompt, a ' +
      'completion, tool or action arguments and results, an error, a tag); newest first, with ' +
      'the same filters as list_sessions. Then read the events of one with get_session_events.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['query'],
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 512, description: 'The words to find.' },
        ...LIST_FILTERS,
      },
    },
    run: (get, args) => listSessions(get, args, args.query as string),
  },
  {
    name: 'get_session',
    title: 'A session in short',
    description:
      "A session's summary: when it ran, its end state and reason, tags, user, environment, host, its " +
      'totals (events, LLM calls, tokens, cost, duration), its agents, the models and tools it used and its evaluations.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['session_id'],
      properties: { session_id: sessionId },
    },
    async run(get, args) {
      return summary(await exportOf(get, args.session_id));
    },
  },
  {
    name: 'get_session_events',
    title: "A session's events",
    description:
      "A session's events in the order they started: LLM calls (model, prompt, completion, tokens, cost), " +
      'tool calls (arguments, result), actions and errors, each with its span and its agent. Paged.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['session_id'],
      properties: {
        session_id: sessionId,
        kinds: { type: 'array', items: { type: 'string', enum: KINDS }, uniqueItems: true, minItems: 1 },
        offset: { type: 'integer', minimum: 0, default: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        max_text: maxText,
      },
    },
    async run(get, args) {
      const events = eventsOf(await exportOf(get, args.session_id), (args.kinds as EventKind[] | undefined) ?? KINDS);
      const offset = (args.offset as number | undefined) ?? 0;
      const limit = (args.limit as number | undefined) ?? 50;
      return {
        total: events.length,
        offset,
        events: cutTexts(events.slice(offset, offset + limit), (args.max_text as number | undefined) ?? 2000),
      };
    },
  },
  {
    name: 'explain_failures',
    title: 'Why a session failed',
    description:
      "A session's end state and reason, and each of its errors with the call that raised it (the LLM " +
      'call, tool call or action it was triggered by, with its arguments) and the agent it ran under.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['session_id'],
      properties: { session_id: sessionId, max_text: maxText },
    },
    async run(get, args) {
      const data = await exportOf(get, args.session_id);
      const byId = new Map(eventsOf(data, ['llms', 'tools', 'actions']).map((e) => [e.id, e]));
      const agents = new Map(data.agents.map((a) => [a.id, a.name]));
      const failures = data.errors.map((error) => {
        const trigger = error.trigger_event_id ? byId.get(error.trigger_event_id) : undefined;
        return {
          error: {
            id: error.id,
            at: error.init_timestamp,
            type: error.error_type ?? null,
            code: error.code ?? null,
            details: error.details ?? null,
            logs: error.logs ?? null,
          },
          agent: error.agent_id ? (agents.get(error.agent_id) ?? error.agent_id) : null,
          triggered_by:
            trigger ?? (error.trigger_event_id ? { id: error.trigger_event_id, note: 'not in this session' } : null),
        };
      });
      return cutTexts(
        {
          session_id: data.session.session_id,
          end_state: endStateName(data.session.end_state),
          end_state_reason: data.session.end_state_reason ?? null,
          errors: failures.length,
          failures,
        },
        (args.max_text as number | undefined) ?? 2000,
      );
    },
  },
  {
    name: 'get_overview',
    title: "The project's overview",
    description:
      "The project's totals over a time range (default: the last 30 days): sessions by end state, events, " +
      'tokens, cost, per model, and the same per day or per hour.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { from: time, to: time, bucket: { type: 'string', enum: ['hour', 'day'] } },
    },
    async run(get, args) {
      return get(`/v2/overview${query({ from: args.from, to: args.to, bucket: args.bucket })}`);
    },
  },
];
