/**
 * Agent2Agent (`@a2a-js/sdk` 1.x, the A2A protocol 1.0), both sides, with no code beyond `init()`
 * in each process. A client's message to a remote agent (`Client.sendMessage`, and
 * `sendMessageStream` with its task updates) is an action of the session (`invoke_agent {agent}`,
 * kind CLIENT: the message as its params, the task or message answered as its returns, the task's
 * id, conversation and end state); it carries the span's W3C trace context and the session's
 * baggage in the request's `metadata` (`traceparent`, `tracestate`, `baggage`), which every A2A
 * transport (JSON-RPC, HTTP+JSON, gRPC) passes on. The remote agent's request handler
 * (`DefaultRequestHandler.sendMessage` / `sendMessageStream`) handles it as the agent named by its
 * card (`invoke_agent {agent}`, kind SERVER): when the request carries AgentOps' session, that
 * agent, and everything its executor records (its LLM calls, `record()`, wrappers), lands in the
 * caller's session under the caller's call, as a second process of it; else in its own session.
 */
import { derivedEventId, semconv as S } from '@agentops/exporter';
import { errorText, safeJsonStringify } from '@agentops/exporter/internal';
import { type Context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { AGENT_ID_KEY } from '../context-keys.js';
import {
  type ClassPatcher,
  callerContext,
  classPatcher,
  handlingContext,
  inJoinedSession,
  joinCarried,
  type Method,
  type PatchedClass,
  type ProtocolHost,
  recordPeer,
  replaceMethods,
  tracerOf,
  traceWork,
  withW3CFields,
} from './boundary.js';

export const A2A_SDK = '@a2a-js/sdk';

/** Where each patched prototype keeps what it replaced. */
const ORIGINAL = Symbol.for('agentops.a2a.original');
const TRACER = 'agentops-a2a';

/** A2A 1.0's task states (its enum's numbers), by the names the specification gives them. */
const TASK_STATES = [
  'unspecified',
  'submitted',
  'working',
  'completed',
  'failed',
  'canceled',
  'input-required',
  'rejected',
  'auth-required',
];
/** The states a task ends in without success: the call that started it failed. */
const FAILED_STATES = new Set(['failed', 'rejected']);

interface SendParams {
  message?: { taskId?: unknown; contextId?: unknown; [key: string]: unknown };
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A task state by its specification name, whether the SDK gave it as 1.0's number or 0.3's string. */
function stateName(state: unknown): string | undefined {
  if (typeof state === 'number') return TASK_STATES[state];
  if (typeof state === 'string')
    return state
      .replace(/^TASK_STATE_/, '')
      .toLowerCase()
      .replace(/_/g, '-');
  return undefined;
}

/** The task (or message) an answer, or a streamed update, is about: its id, conversation and state. */
function taskFacts(value: unknown): { taskId?: string; contextId?: string; state?: string } {
  const v = value as Record<string, unknown> | null | undefined;
  if (!v || typeof v !== 'object') return {};
  // A streamed update is `{ payload: { $case, value } }`.
  const payload = v.payload as { value?: unknown } | undefined;
  const item = (payload && typeof payload === 'object' ? payload.value : v) as Record<string, unknown> | undefined;
  if (!item || typeof item !== 'object') return {};
  const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  const status = item.status as { state?: unknown } | undefined;
  return {
    taskId: text(item.taskId) ?? (item.messageId === undefined ? text(item.id) : undefined),
    contextId: text(item.contextId),
    state: stateName(status?.state),
  };
}

function recordTask(span: Span, value: unknown): void {
  const { taskId, contextId, state } = taskFacts(value);
  if (taskId) span.setAttribute(S.ATTR_A2A_TASK_ID, taskId);
  if (contextId) span.setAttribute(S.ATTR_A2A_CONTEXT_ID, contextId);
  if (state) {
    span.setAttribute(S.ATTR_A2A_TASK_STATE, state);
    if (FAILED_STATES.has(state)) span.setStatus({ code: SpanStatusCode.ERROR, message: `the remote task ${state}` });
  }
}

/** The name of the agent a client talks to, or a server is: its agent card's. */
function agentName(card: unknown): string {
  const name = (card as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : 'remote agent';
}

/** The client's call: an action of the session, whose context the request carries. */
function startClientCall(
  tracer: Tracer,
  host: ProtocolHost,
  client: unknown,
  params: SendParams,
): { span: Span; ctx: Context; sent: SendParams } {
  const card = (client as { agentCard?: unknown }).agentCard;
  const agent = agentName(card);
  const name = `${S.GEN_AI_OPERATION_INVOKE_AGENT} ${agent}`;
  const parent = callerContext(host);
  const span = tracer.startSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      // An action by its type (as integrations write them): a failed one also stands for an error.
      attributes: {
        [S.ATTR_ACTION_TYPE]: name,
        [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_INVOKE_AGENT,
        [S.ATTR_GEN_AI_AGENT_NAME]: agent,
      },
    },
    parent,
  );
  // The remote agent a message goes to, by its card (when the client has read one).
  recordPeer(span, 'a2a', card);
  const ctx = trace.setSpan(parent, span);
  const message = params.message;
  recordTask(span, message);
  const sentMessage = host.captureContent ? safeJsonStringify(message) : undefined;
  if (sentMessage !== undefined) span.setAttribute(S.ATTR_ACTION_PARAMS, sentMessage);
  const metadata = withW3CFields(params.metadata, ctx);
  return { span, ctx, sent: metadata ? { ...params, metadata } : params };
}

function recordAnswer(span: Span, value: unknown, captureContent: boolean): void {
  recordTask(span, value);
  const json = captureContent ? safeJsonStringify(value) : undefined;
  if (json !== undefined) span.setAttribute(S.ATTR_ACTION_RETURNS, json);
}

const isParams = (value: unknown): value is SendParams => typeof value === 'object' && value !== null;

/** A client's call, ended when its answer comes (`sendMessage`) or its stream of updates ends (`sendMessageStream`). */
function finishClientCall(
  call: ReturnType<typeof startClientCall>,
  run: () => unknown,
  stream: boolean,
  captureContent: boolean,
): unknown {
  const { span, ctx } = call;
  if (!stream)
    return traceWork(span, ctx, run, false, { onValue: (value) => recordAnswer(span, value, captureContent) });
  // The updates as they come (the task's state on the span), the last one as the call's returns.
  let last: unknown;
  let count = 0;
  return traceWork(span, ctx, run, true, {
    onItem: (update) => {
      count++;
      last = update;
      recordTask(span, update);
    },
    onEnd: (error) => {
      if (error === undefined && last !== undefined) recordAnswer(span, last, captureContent);
      span.setAttribute(S.ATTR_A2A_UPDATES, count);
    },
  });
}

/** A client's messages to a remote agent: a span each, and the session carried to the agent. */
function patchClient(Client: PatchedClass, host: ProtocolHost): void {
  const tracer = tracerOf(host, TRACER);
  const traced =
    (stream: boolean) =>
    (original: Method): Method =>
      function (this: unknown, params: unknown, ...rest: unknown[]) {
        if (!isParams(params)) return original.call(this, params, ...rest);
        let call: ReturnType<typeof startClientCall>;
        try {
          call = startClientCall(tracer, host, this, params);
        } catch (err) {
          host.logger.debug(`A2A message not traced: ${errorText(err)}`);
          return original.call(this, params, ...rest);
        }
        return finishClientCall(call, () => original.call(this, call.sent, ...rest), stream, host.captureContent);
      };
  replaceMethods(Client, ORIGINAL, 'A2A Client', { sendMessage: traced(false), sendMessageStream: traced(true) });
}

/** The span of a request the remote agent handles: that agent's invocation. */
function startAgentSpan(
  tracer: Tracer,
  handler: unknown,
  params: SendParams,
  parent: Context,
): { span: Span; ctx: Context } {
  const name = agentName((handler as { agentCard?: unknown }).agentCard);
  const span = tracer.startSpan(
    `${S.GEN_AI_OPERATION_INVOKE_AGENT} ${name}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [S.ATTR_EVENT_TYPE]: S.EVENT_TYPE_AGENT,
        [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_INVOKE_AGENT,
        [S.ATTR_GEN_AI_AGENT_NAME]: name,
      },
    },
    parent,
  );
  // The agent's id names it on every event of its work, as `trackAgent()`'s does.
  const agentId = derivedEventId(span.spanContext(), 'agent');
  span.setAttribute(S.ATTR_GEN_AI_AGENT_ID, agentId);
  const message = params.message;
  recordTask(span, message);
  return { span, ctx: trace.setSpan(parent, span).setValue(AGENT_ID_KEY, agentId) };
}

/** The remote agent's handling of messages: the agent's span, in the caller's session when the request carries one. */
function patchRequestHandler(Handler: PatchedClass, host: ProtocolHost): void {
  const tracer = tracerOf(host, TRACER);
  const handled =
    (stream: boolean) =>
    (original: Method): Method =>
      function (this: unknown, params: unknown, ...rest: unknown[]) {
        const call = () => original.call(this, params, ...rest);
        if (!isParams(params)) return call();
        const { joined, caller } = joinCarried(host, params.metadata, 'A2A request');
        const handle = () => {
          let agent: ReturnType<typeof startAgentSpan>;
          try {
            agent = startAgentSpan(tracer, this, params, handlingContext(host, caller));
          } catch (err) {
            host.logger.debug(`A2A request handled untraced: ${errorText(err)}`);
            return call();
          }
          const { span, ctx } = agent;
          const task = (value: unknown) => recordTask(span, value);
          return traceWork(span, ctx, call, stream, { onValue: task, onItem: task });
        };
        return inJoinedSession(joined, handle);
      };
  replaceMethods(Handler, ORIGINAL, 'A2A DefaultRequestHandler', {
    sendMessage: handled(false),
    sendMessageStream: handled(true),
  });
}

/** The patch of the A2A SDK's client and server modules (`@a2a-js/sdk/client`, `/server`). */
export function createA2AInstrumentation(host: ProtocolHost): ClassPatcher {
  return classPatcher(ORIGINAL, 'A2A Client or DefaultRequestHandler', {
    Client: (Client) => patchClient(Client, host),
    DefaultRequestHandler: (Handler) => patchRequestHandler(Handler, host),
  });
}
