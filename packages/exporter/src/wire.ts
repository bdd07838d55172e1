/**
 * Shapes of the AgentOps REST API v2, as sent on the wire (snake_case). The payloads the server
 * validates are read off their schemas (wire-schemas.ts), so a field is written once; the events'
 * messages and values, which the server keeps as sent, are typed here, and checked against the
 * schema's fields below.
 */
import type { SessionId } from './internal/ids.js';
import type { SchemaType } from './internal/schema-type.js';
import type {
  agentSchema,
  evaluationSchema,
  eventSchema,
  originSchema,
  peerSchema,
  sessionSchema,
} from './wire-schemas.js';

export type EndState = 'Success' | 'Failure' | 'Indeterminate';
/** On the wire `Failure` is spelled `Fail`. */
export type WireEndState = 'Success' | 'Fail' | 'Indeterminate';
export type EventType = 'llms' | 'tools' | 'actions' | 'errors';

export const END_STATES: readonly EndState[] = ['Success', 'Failure', 'Indeterminate'];

export function toWireEndState(state: EndState): WireEndState {
  return state === 'Failure' ? 'Fail' : state;
}

export function fromWireEndState(state: string | null | undefined): EndState | undefined {
  if (state === 'Fail' || state === 'Failure') return 'Failure';
  if (state === 'Success' || state === 'Indeterminate') return state;
  return undefined;
}

export type HostEnv = Record<string, Record<string, string | number | boolean> | string>;

/** A session as `create_session` and `update_session` take it. */
export type SessionPayload = SchemaType<typeof sessionSchema>;

/** A ChatML message, the shape AgentOps shows for prompts and completions. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: { id?: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  finish_reason?: string;
}

/** Where an event was recorded: lets a session from several processes show who did what. */
export type EventOrigin = SchemaType<typeof originSchema>;

/**
 * The other side of a call across a protocol boundary, as the caller knew it: the MCP server its
 * request went to (`serverInfo`), or the remote agent an A2A message went to (its card). The work
 * that side recorded in the session (from its own process) is nested under this call.
 */
export type EventPeer = SchemaType<typeof peerSchema>;

/** What every event of `create_events` has. */
export interface EventBase {
  id: string;
  session_id: SessionId;
  init_timestamp: string;
  end_timestamp: string;
  agent_id?: string | null;
  params?: unknown;
  returns?: unknown;
  /** OpenTelemetry ids, so the dashboard can nest events as their spans were nested. */
  span_id?: string;
  parent_span_id?: string | null;
  origin?: EventOrigin;
  /** Set on a tool call or action that crossed to an MCP server or a remote agent. */
  peer?: EventPeer;
}

export interface LlmEventPayload extends EventBase {
  event_type: 'llms';
  model?: string | null;
  provider?: string | null;
  prompt?: ChatMessage[] | string | null;
  completion?: ChatMessage | string | null;
  /** Every prompt token, cached ones included. */
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  /** The parts of `prompt_tokens` read from, and written to, the provider's prompt cache. */
  cache_read_tokens?: number | null;
  cache_creation_tokens?: number | null;
  /** The part of `completion_tokens` the model spent reasoning. */
  reasoning_tokens?: number | null;
  cost?: number | null;
  thread_id?: string | null;
  /** The call's HTTP exchange, when it was recorded for replay (`recordReplay`). */
  replay?: ReplayExchange;
}

/**
 * One LLM call's HTTP exchange, as the client library sent and read it: enough to hand the same
 * response back to the same client (`agentops.replay()`). No request header is kept (they hold
 * the provider's key); of the response's, the few a client reads (its type, request id, retry
 * advice). Bodies are text, decoded (decompressed, UTF-8); a stream's chunks as they came.
 */
export interface ReplayExchange {
  request: { method: string; url: string; body: string | null };
  response: {
    status: number;
    status_text: string;
    headers: [string, string][];
    /** The body in the pieces it arrived in (a stream's chunks); joined, the whole body. */
    chunks: string[];
  };
  /** Set by the mask when it changed something in it: a replay may not answer as the call was answered. */
  masked?: true;
}

export interface ToolEventPayload extends EventBase {
  event_type: 'tools';
  name: string;
  logs?: unknown;
}

export interface ActionEventPayload extends EventBase {
  event_type: 'actions';
  action_type: string;
  /** A workflow or a task (recordWorkflow/recordTask, OpenLLMetry's and AgentOps 0.4's), else an action. */
  action_kind?: 'workflow' | 'task';
  logs?: unknown;
  screenshot?: string | null;
}

export interface ErrorEventPayload extends EventBase {
  event_type: 'errors';
  error_type?: string | null;
  code?: string | null;
  details?: string | null;
  logs?: string | null;
  trigger_event_id?: string | null;
  trigger_event_type?: string | null;
}

/** An evaluation as `POST /v2/sessions/:id/evaluations` takes it: the server gives what is missing. */
export type EvaluationInput = SchemaType<typeof evaluationSchema>;

/**
 * The result of evaluating a session or one of its events (GenAI `gen_ai.evaluation.result`): a
 * score, a label, or both, from an evaluator or a user's feedback. As the SDK sends it: complete.
 */
export type EvaluationPayload = EvaluationInput & { id: string; session_id: SessionId; timestamp: string };

/** A session's evaluations of one name, summed up. */
export interface EvaluationSummary {
  name: string;
  count: number;
  /** The mean of the scores given (null when none gave a score). */
  mean_score: number | null;
  /** How many said each label: the 20 most said. */
  labels: Record<string, number>;
  /** Evaluations of this name with a label left out of `labels`, when there are any. */
  other_labels?: number;
}

export type EventPayload = LlmEventPayload | ToolEventPayload | ActionEventPayload | ErrorEventPayload;

/** Each event the SDK sends passes the schema's checks: a field whose type here drifts from the schema fails to compile. */
type FitsEventSchema<T extends SchemaType<typeof eventSchema>> = T;
type _EventPayloadFitsItsSchema = FitsEventSchema<EventPayload>;

/**
 * A span that is no event, and the span it is a child of: events started inside it are shown
 * under its parent (the server resolves their `parent_span_id` through these links).
 */
export interface SpanLinkPayload {
  span_id: string;
  parent_span_id: string;
}

export type AgentPayload = SchemaType<typeof agentSchema>;

export interface CreateSessionResponse {
  status: string;
  jwt: string;
  session_url?: string;
}

export interface UpdateSessionResponse {
  status: string;
  token_cost?: string;
  session_url?: string;
}

/** Whose budgets to read (`GET /v2/budgets`): an end user, a tag, an environment, a model. */
export interface BudgetSubject {
  userId?: string;
  tag?: string;
  environment?: string;
  model?: string;
}

/** Where one spend rule of the project stands for its subject: money as decimal strings. */
export interface BudgetState {
  rule_id: string;
  name: string;
  group_by: 'user' | 'tag' | 'environment' | 'model' | 'project';
  key: string;
  window: string;
  limit: string;
  spent: string;
  remaining: string;
  over: boolean;
}

/** `GET /v2/budgets`: each spend rule that applies, and whether any is over. */
export interface BudgetStatus {
  over: boolean;
  budgets: BudgetState[];
}

export interface SessionStats {
  session_id: SessionId;
  events: number;
  llm_calls: number;
  tool_calls: number;
  actions: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Of `prompt_tokens`: read from and written to the providers' prompt caches. */
  cache_read_tokens: number;
  cache_creation_tokens: number;
  /** Of `completion_tokens`: spent reasoning. */
  reasoning_tokens: number;
  cost: string;
  duration_ms: number;
  duration: string;
  agents: number;
  end_state: WireEndState | null;
  /** Evaluations of the session and its events. */
  evaluations: number;
  /**
   * Their summary per name, the 20 most frequent names (all of them: `GET /v2/sessions/:id/evaluation_scores`).
   * Not in the session list's rows.
   */
  evaluation_scores?: EvaluationSummary[];
  /** How many evaluation names there are (beside `evaluation_scores`). */
  evaluation_names?: number;
}

/**
 * A session as the server gives it back: every field of its payload, null where unknown; its tags
 * a list, its end state as stored (`Fail` for a failure), its host as the SDK describes it.
 */
export type SessionRecord = {
  [K in Exclude<keyof SessionPayload, 'tags' | 'end_state' | 'host_env'>]-?: NonNullable<SessionPayload[K]> | null;
} & {
  session_id: SessionId;
  init_timestamp: string;
  end_state: WireEndState | null;
  tags: string[];
  host_env: HostEnv | null;
};

/**
 * An LLM event as the export gives it: its cost as money is given everywhere it is read (stats,
 * `endSession()`, the overview), USD as a decimal string of six places (`"0.000430"`; `"0.00"` for
 * none); absent when unknown. (Sent, it is a number: `LlmEventPayload.cost`.)
 */
export interface ExportedLlmEvent extends Omit<LlmEventPayload, 'cost'> {
  cost?: string;
}

export interface SessionExport {
  session: SessionRecord;
  stats: SessionStats;
  agents: AgentPayload[];
  llms: ExportedLlmEvent[];
  tools: ToolEventPayload[];
  actions: ActionEventPayload[];
  errors: ErrorEventPayload[];
  /** Evaluations of the session and its events, oldest first. */
  evaluations?: EvaluationPayload[];
  /** Logs an AgentOps 0.4 client captured and uploaded for the session (`/v4/logs/upload/`), oldest first. */
  logs?: SessionLog[];
}

/** One upload of captured logs: its text is at `url` (with the project's key). */
export interface SessionLog {
  id: string;
  size: number;
  uploaded_at: string;
  url: string;
}
