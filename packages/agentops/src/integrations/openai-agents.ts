/**
 * `@openai/agents` (the OpenAI Agents SDK) recorded with no code: its tracing processor interface
 * turned into OpenTelemetry spans of AgentOps sessions, in the GenAI conventions the exporter maps.
 * A trace joins the session it starts in (the active one, or the one open session), else it is a
 * session of its own, ended with the trace. Agents become agents, model calls (`response` and
 * `generation` spans) LLM calls with tokens (cached and reasoning ones too) and so cost, function
 * calls tool calls, and handoffs, guardrails, MCP tool listings and custom spans actions; a span
 * that failed, or a guardrail whose tripwire fired, is also an error. Task and turn spans (and
 * voice spans) are not events: what they contain is nested under their parent.
 */
import { completionMessagesJson, type Logger, promptMessagesJson, semconv as S } from '@agentops/exporter';
import { asCount, asString, errorText, isRecord, safeJsonStringify } from '@agentops/exporter/internal';
import {
  type Attributes,
  type Context,
  type Span as OtelSpan,
  trace as otelTrace,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import { put } from '../events/AgentOpsEvent.js';
import { optionalRequire } from '../optional-require.js';
import { ATTR_INTEGRATION } from '../pipeline/model-calls.js';
import { processWide } from '../process-wide.js';

/** What the integration needs of the SDK around it. */
export interface AgentsHost {
  tracer: Tracer;
  captureContent: boolean;
  logger: Logger;
  /** The context of the session new work joins, if any (the active one, or the one open session). */
  joinContext(): Context | undefined;
  /** Starts a session of its own for a trace that has none; it is ended with `end`. */
  startSession(tags: string[]): { context(): Context; end(failure: string | undefined): void };
}

const INTEGRATION = 'openai-agents';

/** The Agents SDK's span and trace, as far as this integration reads them (agents-core 0.x). */
interface AgentsSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  spanData: { type: string; [key: string]: unknown };
  startedAt: string | null;
  endedAt: string | null;
  error: { message: string; data?: Record<string, unknown> } | null;
}
interface AgentsTrace {
  traceId: string;
  name: string;
  groupId: string | null;
}

interface TraceState {
  context: Context;
  owned: ReturnType<AgentsHost['startSession']> | undefined;
  /** The first failure of the trace, which ends a session of its own as a Failure. */
  failure: string | undefined;
  groupId: string | null;
}

/** Traces and spans kept at once: a trace never ended (a crashed run) is forgotten beyond these. */
const MAX_TRACES = 1000;
const MAX_SPANS = 10_000;

export class OpenAIAgentsProcessor {
  #host: AgentsHost | undefined;
  readonly #traces = new Map<string, TraceState>();
  readonly #spans = new Map<string, { span: OtelSpan | undefined; context: Context }>();

  /** Records into `host` from now on; undefined stops recording (the processor stays registered). */
  attach(host: AgentsHost | undefined): void {
    this.#host = host;
    if (!host) {
      this.#traces.clear();
      this.#spans.clear();
    }
  }

  async onTraceStart(trace: AgentsTrace): Promise<void> {
    this.#guard('trace start', () => this.#traceState(trace));
  }

  async onTraceEnd(trace: AgentsTrace): Promise<void> {
    this.#guard('trace end', () => {
      const state = this.#traces.get(trace.traceId);
      this.#traces.delete(trace.traceId);
      state?.owned?.end(state.failure);
    });
  }

  async onSpanStart(span: AgentsSpan): Promise<void> {
    this.#guard('span start', () => this.#start(span));
  }

  async onSpanEnd(span: AgentsSpan): Promise<void> {
    this.#guard('span end', () => this.#end(span));
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}

  /** Never throws into the Agents SDK: a span that cannot be read is reported and left out. */
  #guard(what: string, fn: () => void): void {
    const host = this.#host;
    if (!host) return;
    try {
      fn();
    } catch (err) {
      host.logger.warn(`OpenAI Agents: could not record a ${what} (${errorText(err)}).`);
    }
  }

  #traceState(trace: { traceId: string; name?: string; groupId?: string | null }): TraceState {
    let state = this.#traces.get(trace.traceId);
    if (state) return state;
    const host = this.#host as AgentsHost;
    const joined = host.joinContext();
    const owned = joined ? undefined : host.startSession(['openai-agents', ...(trace.name ? [trace.name] : [])]);
    state = {
      context: joined ?? (owned as NonNullable<typeof owned>).context(),
      owned,
      failure: undefined,
      groupId: trace.groupId ?? null,
    };
    this.#traces.set(trace.traceId, state);
    if (this.#traces.size > MAX_TRACES) this.#traces.delete(this.#traces.keys().next().value as string);
    return state;
  }

  #start(span: AgentsSpan): void {
    // Registered twice (loads of both entry points), a span is still recorded once.
    if (this.#spans.has(span.spanId)) return;
    const host = this.#host as AgentsHost;
    const state = this.#traceState({ traceId: span.traceId });
    const parent = (span.parentId ? this.#spans.get(span.parentId)?.context : undefined) ?? state.context;
    const shape = startShape(span.spanData);
    if (!shape) {
      // Not an event (a task, a turn): what it contains nests under its parent.
      this.#remember(span.spanId, { span: undefined, context: parent });
      return;
    }
    shape.attributes[ATTR_INTEGRATION] = INTEGRATION;
    if (shape.llm && state.groupId) shape.attributes[S.ATTR_GEN_AI_CONVERSATION_ID] = state.groupId;
    const otel = host.tracer.startSpan(
      shape.name,
      { kind: shape.kind, attributes: shape.attributes, startTime: dateOf(span.startedAt) },
      parent,
    );
    this.#remember(span.spanId, { span: otel, context: otelTrace.setSpan(parent, otel) });
  }

  #remember(id: string, entry: { span: OtelSpan | undefined; context: Context }): void {
    this.#spans.set(id, entry);
    if (this.#spans.size > MAX_SPANS) this.#spans.delete(this.#spans.keys().next().value as string);
  }

  #end(span: AgentsSpan): void {
    const entry = this.#spans.get(span.spanId);
    this.#spans.delete(span.spanId);
    const data = span.spanData;
    const failure = span.error
      ? `${span.error.message}${span.error.data ? `: ${safeJsonStringify(span.error.data) ?? ''}` : ''}`
      : data.type === 'guardrail' && data.triggered === true
        ? `guardrail ${String(data.name)} triggered`
        : undefined;
    const otel = entry?.span;
    if (!otel) {
      this.#runEnded(span, failure);
      return;
    }
    const end = endShape(data, (this.#host as AgentsHost).captureContent);
    if (end.name) otel.updateName(end.name);
    otel.setAttributes(end.attributes);
    if (failure) {
      otel.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      otel.addEvent('exception', {
        'exception.type': data.type === 'guardrail' ? 'GuardrailTripwireTriggered' : 'AgentsError',
        'exception.message': failure,
      });
      const state = this.#traces.get(span.traceId);
      if (state) state.failure ??= failure;
    }
    otel.end(dateOf(span.endedAt));
    this.#runEnded(span, failure);
  }

  /**
   * A run's outermost span has ended. A run that failed ends the trace's own session now: the Agents
   * SDK does not end a trace whose run threw. (One that succeeded waits for its trace, which may
   * hold more runs.)
   */
  #runEnded(span: AgentsSpan, failure: string | undefined): void {
    if (span.parentId !== null || failure === undefined) return;
    const state = this.#traces.get(span.traceId);
    if (!state?.owned) return;
    this.#traces.delete(span.traceId);
    state.owned.end(state.failure ?? failure);
  }
}

function dateOf(iso: string | null): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const json = (v: unknown) =>
  v === undefined || v === null ? undefined : typeof v === 'string' ? v : safeJsonStringify(v);

interface StartShape {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
  llm: boolean;
}

function action(actionType: string, params?: unknown): StartShape {
  const attributes: Attributes = { [S.ATTR_ACTION_TYPE]: actionType };
  put(attributes, S.ATTR_ACTION_PARAMS, json(params));
  return { name: actionType, kind: SpanKind.INTERNAL, attributes, llm: false };
}

/** The OpenTelemetry span an Agents SDK span starts as; undefined for spans that are not events. */
function startShape(data: AgentsSpan['spanData']): StartShape | undefined {
  switch (data.type) {
    case 'agent': {
      const name = asString(data.name) ?? 'agent';
      return {
        name: `${S.GEN_AI_OPERATION_INVOKE_AGENT} ${name}`,
        kind: SpanKind.INTERNAL,
        attributes: {
          [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_INVOKE_AGENT,
          [S.ATTR_GEN_AI_AGENT_NAME]: name,
        },
        llm: false,
      };
    }
    case 'function': {
      const name = asString(data.name) ?? 'function';
      return {
        name: `${S.GEN_AI_OPERATION_EXECUTE_TOOL} ${name}`,
        kind: SpanKind.INTERNAL,
        attributes: {
          [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_EXECUTE_TOOL,
          [S.ATTR_GEN_AI_TOOL_NAME]: name,
        },
        llm: false,
      };
    }
    case 'generation':
    case 'response': {
      const attributes: Attributes = {
        [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_CHAT,
        [S.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      };
      put(attributes, S.ATTR_GEN_AI_REQUEST_MODEL, asString(data.model));
      return {
        name: `${S.GEN_AI_OPERATION_CHAT} ${asString(data.model) ?? ''}`.trim(),
        kind: SpanKind.CLIENT,
        attributes,
        llm: true,
      };
    }
    case 'handoff':
      return action('handoff', { from_agent: data.from_agent, to_agent: data.to_agent });
    case 'guardrail':
      return action(`guardrail ${asString(data.name) ?? ''}`.trim());
    case 'custom':
      return action(asString(data.name) ?? 'custom', data.data);
    case 'mcp_tools':
      return action(`list MCP tools${typeof data.server === 'string' ? ` ${data.server}` : ''}`);
    default:
      // task, turn, transcription, speech, speech_group, and types of later versions.
      return undefined;
  }
}

/** What a span knows once it has ended: its result, a model call's model, usage and messages. */
function endShape(data: AgentsSpan['spanData'], content: boolean): { name?: string; attributes: Attributes } {
  const attributes: Attributes = {};
  switch (data.type) {
    case 'function':
      if (content) {
        put(attributes, S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, json(data.input));
        put(attributes, S.ATTR_GEN_AI_TOOL_CALL_RESULT, json(data.output));
      }
      return { attributes };
    case 'generation':
      return llmEnd(
        attributes,
        asString(data.model),
        usageOf(data.usage),
        content ? data.input : undefined,
        content ? data.output : undefined,
      );
    case 'response': {
      const response = isRecord(data._response) ? data._response : {};
      put(attributes, S.ATTR_GEN_AI_RESPONSE_ID, asString(data.response_id) ?? asString(response.id));
      return llmEnd(
        attributes,
        asString(response.model),
        usageOf(response.usage),
        content ? responsesInput(data._input) : undefined,
        content ? responsesOutput(response.output) : undefined,
      );
    }
    case 'handoff': {
      put(attributes, S.ATTR_ACTION_PARAMS, json({ from_agent: data.from_agent, to_agent: data.to_agent }));
      const to = asString(data.to_agent);
      if (to === undefined) return { attributes };
      attributes[S.ATTR_ACTION_TYPE] = `handoff to ${to}`;
      return { name: `handoff to ${to}`, attributes };
    }
    case 'guardrail':
      put(attributes, S.ATTR_ACTION_RETURNS, json({ triggered: data.triggered === true }));
      return { attributes };
    case 'mcp_tools':
      if (content) put(attributes, S.ATTR_ACTION_RETURNS, json(data.result));
      return { attributes };
    default:
      return { attributes };
  }
}

interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  reasoning?: number;
}

/**
 * Token usage as the Responses API and the Agents SDK give it: `input_tokens` (cached ones
 * included), `output_tokens`, and their details (`input_tokens_details.cached_tokens`,
 * `output_tokens_details.reasoning_tokens`; under `details` on generation spans).
 */
function usageOf(value: unknown): Usage {
  if (!isRecord(value)) return {};
  const u = value;
  const record = (v: unknown) => (isRecord(v) ? v : undefined);
  const details = record(u.details) ?? {};
  const inputDetails = record(u.input_tokens_details) ?? record(details.input_tokens_details) ?? {};
  const outputDetails = record(u.output_tokens_details) ?? record(details.output_tokens_details) ?? {};
  return {
    input: asCount(u.input_tokens) ?? asCount(u.prompt_tokens),
    output: asCount(u.output_tokens) ?? asCount(u.completion_tokens),
    cacheRead: asCount(inputDetails.cached_tokens) ?? asCount(details.cached_tokens) ?? asCount(u.cached_input_tokens),
    reasoning: asCount(outputDetails.reasoning_tokens) ?? asCount(details.reasoning_tokens),
  };
}

function llmEnd(
  attributes: Attributes,
  model: string | undefined,
  usage: Usage,
  input: unknown,
  output: unknown,
): { name?: string; attributes: Attributes } {
  put(attributes, S.ATTR_GEN_AI_RESPONSE_MODEL, model);
  put(attributes, S.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.input);
  put(attributes, S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
  put(attributes, S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheRead);
  put(attributes, S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning);
  if (input !== undefined) put(attributes, S.ATTR_GEN_AI_INPUT_MESSAGES, promptMessagesJson(input));
  if (output !== undefined) put(attributes, S.ATTR_GEN_AI_OUTPUT_MESSAGES, completionMessagesJson(output));
  return { name: model ? `${S.GEN_AI_OPERATION_CHAT} ${model}` : undefined, attributes };
}

/** The text of a Responses API content value: a string, or its text parts joined. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content
    .map((p) => (isRecord(p) ? (p.text ?? p.refusal) : undefined))
    .filter((t): t is string => typeof t === 'string');
  return parts.length > 0 ? parts.join('') : undefined;
}

/** A Responses API request's input (a string, or input items) as ChatML messages. */
function responsesInput(input: unknown): unknown {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) return undefined;
  const messages: Record<string, unknown>[] = [];
  for (const i of input) {
    if (!isRecord(i)) continue;
    if (i.type === 'function_call') {
      messages.push({
        role: 'assistant',
        tool_calls: [
          { id: i.callId ?? i.call_id, type: 'function', function: { name: i.name, arguments: i.arguments } },
        ],
      });
    } else if (i.type === 'function_call_result' || i.type === 'function_call_output') {
      const out = i.output;
      const result = isRecord(out) && 'text' in out ? out.text : out;
      messages.push({
        role: 'tool',
        tool_call_id: i.callId ?? i.call_id,
        content: typeof result === 'string' ? result : json(result),
      });
    } else if (typeof i.role === 'string') {
      messages.push({ role: i.role, content: contentText(i.content) ?? json(i.content) });
    }
  }
  return messages;
}

/** A Responses API response's output items as one assistant message (its text and tool calls). */
function responsesOutput(output: unknown): unknown {
  if (!Array.isArray(output)) return undefined;
  const texts: string[] = [];
  const calls: Record<string, unknown>[] = [];
  for (const i of output) {
    if (!isRecord(i)) continue;
    if (i.type === 'message') {
      const t = contentText(i.content);
      if (t !== undefined) texts.push(t);
    } else if (i.type === 'function_call') {
      calls.push({ id: i.call_id ?? i.id, type: 'function', function: { name: i.name, arguments: i.arguments } });
    }
  }
  return { role: 'assistant', content: texts.join(''), ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}

type AgentsCoreModule = { addTraceProcessor(processor: unknown): void };
type InstrumentationModule = typeof import('@opentelemetry/instrumentation');

/** The one processor of the process (both builds of this package share it). */
const shared = processWide('openai-agents.processor', () => ({ processor: new OpenAIAgentsProcessor() }));

/** Where the Agents SDK keeps its one trace provider, once it has made it. */
const AGENTS_TRACE_PROVIDER = Symbol.for('openai.agents.core.traceProvider');

/**
 * Records `@openai/agents` runs, without loading it: the processor is added now if the Agents SDK
 * is already in use (an ES module app imports it before `init()` runs), else each time the app
 * loads it (`@openai/agents`, or `@openai/agents-core` alone) afterwards. Loading `@openai/agents`
 * replaces every processor with OpenAI's exporter, so ours is added after that (adding it twice
 * records nothing twice). Returns the function that stops recording.
 */
export function enableOpenAIAgents(host: AgentsHost): () => void {
  const processor = shared.processor;
  processor.attach(host);
  const add = (core: AgentsCoreModule | undefined) => {
    try {
      core?.addTraceProcessor(processor);
    } catch (err) {
      host.logger.warn(`could not record @openai/agents (${errorText(err)}); its runs are not recorded.`);
    }
  };
  // Already in use (an ES module app imported it first): its trace provider is on globalThis, where
  // both of its builds keep it. Registered there, not through a build of our own loading: loading
  // the CommonJS build into an ES module app adds the Agents SDK's console exporter to that same
  // provider, which then prints every trace and span into the app's output.
  const provider = (globalThis as Record<symbol, unknown>)[AGENTS_TRACE_PROVIDER] as
    | { registerProcessor?: (processor: unknown) => void }
    | undefined;
  if (typeof provider?.registerProcessor === 'function') {
    const inUse = provider;
    add({ addTraceProcessor: (p) => inUse.registerProcessor?.(p) });
  } else if (provider !== undefined) {
    add(optionalRequire<AgentsCoreModule>('@openai/agents-core'));
  }
  const instrumentation = optionalRequire<InstrumentationModule>('@opentelemetry/instrumentation');
  if (!instrumentation) return () => processor.attach(undefined);
  const base = instrumentation;
  const onLoad = <T>(exports: T): T => {
    add(exports as unknown as AgentsCoreModule);
    return exports;
  };
  class AgentsLoadHook extends base.InstrumentationBase {
    constructor() {
      super('agentops-openai-agents', '1', {});
    }
    protected init() {
      return ['@openai/agents-core', '@openai/agents'].map(
        (name) => new base.InstrumentationNodeModuleDefinition(name, ['>=0.1.0 <1'], onLoad, (exports) => exports),
      );
    }
  }
  let hook: AgentsLoadHook | undefined;
  try {
    hook = new AgentsLoadHook();
  } catch (err) {
    // An instrumentation package this hook cannot run on: loads after init() go unrecorded, the rest runs.
    host.logger.warn(`could not watch for @openai/agents (${errorText(err)}); runs it starts later are not recorded.`);
  }
  return () => {
    hook?.disable();
    processor.attach(undefined);
  };
}
