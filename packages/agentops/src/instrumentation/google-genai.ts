/**
 * `@google/genai` (Google's Gen AI SDK for the Gemini API and Vertex AI) recorded as GenAI spans.
 * There is no well-kept JavaScript instrumentation of it (OpenLLMetry's `-vertexai` patches the
 * older `@google-cloud/vertexai`), so this is ours: each request the SDK makes to a model
 * (`Models.generateContentInternal`, `generateContentStreamInternal`, `embedContentInternal`, the
 * methods every public call goes through, one per HTTP request, so an automatic function-calling
 * loop is one span per model turn) becomes a client span in the GenAI conventions: model, provider
 * (`gcp.gemini` or `gcp.vertex_ai`), request options, tokens (cached and thinking ones apart),
 * finish reasons, response id and, when content is captured, the messages as typed parts.
 */
import { semconv as S } from '@agentops/exporter';
import { asCount, asNumber, asString, errorText, isRecord, safeJsonStringify } from '@agentops/exporter/internal';
import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { put } from '../events/AgentOpsEvent.js';
import { SDK_VERSION } from '../version.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');

export const GOOGLE_GENAI_MODULE = '@google/genai';
/** Every version reaches the patch: the client table (clients.ts) says which the SDK records. */
const ANY_VERSION = ['*'];
const METHODS = ['generateContentInternal', 'generateContentStreamInternal', 'embedContentInternal'] as const;
type Method = (typeof METHODS)[number];

interface ModelsLike {
  apiClient?: { isVertexAI?(): boolean };
}
type Params = Record<string, unknown>;
type Original = (this: ModelsLike, params: Params) => Promise<unknown>;

export interface GoogleGenAIInstrumentation {
  readonly instrumentationName: string;
  /** Patches a module's `Models` class found another way (the ES module build, which the require hook never sees). */
  manuallyInstrument(module: unknown): void;
}

const FINISH_REASONS: Record<string, string> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
};

/** Request options -> GenAI request attributes. */
const REQUEST_OPTIONS: [string, string][] = [
  ['temperature', S.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['topP', S.ATTR_GEN_AI_REQUEST_TOP_P],
  ['topK', S.ATTR_GEN_AI_REQUEST_TOP_K],
  ['maxOutputTokens', S.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['candidateCount', S.ATTR_GEN_AI_REQUEST_CHOICE_COUNT],
  ['seed', S.ATTR_GEN_AI_REQUEST_SEED],
  ['presencePenalty', S.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ['frequencyPenalty', S.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
];

/** Builds the instrumentation on the app's `@opentelemetry/instrumentation` (an optional peer). */
export function createGoogleGenAIInstrumentation(
  base: InstrumentationModule,
  captureContent: boolean,
  config: { enabled?: boolean } = {},
): InstanceType<InstrumentationModule['InstrumentationBase']> & GoogleGenAIInstrumentation {
  class Instrumentation extends base.InstrumentationBase implements GoogleGenAIInstrumentation {
    constructor() {
      super('agentops/instrumentation-google-genai', SDK_VERSION, config);
    }

    protected init() {
      return [
        new base.InstrumentationNodeModuleDefinition(
          GOOGLE_GENAI_MODULE,
          ANY_VERSION,
          (exports: unknown) => this.patch(exports),
          (exports: unknown) => this.unpatch(exports),
        ),
      ];
    }

    /** Modules patched by hand, unpatched with the rest when the instrumentation is disabled. */
    private readonly manual = new Set<unknown>();

    manuallyInstrument(module: unknown): void {
      this.patch(module);
      this.manual.add(module);
    }

    override disable(): void {
      super.disable();
      for (const module of this.manual) this.unpatch(module);
      this.manual.clear();
    }

    private patch(exports: unknown): unknown {
      const proto = modelsPrototype(exports);
      for (const method of METHODS) {
        if (typeof proto[method] !== 'function') throw new Error(`Models.${method} is not a function`);
      }
      for (const method of METHODS) {
        if (!base.isWrapped(proto[method])) {
          this._wrap(proto, method, (original) => this.recorded(method, original as Original));
        }
      }
      return exports;
    }

    private unpatch(exports: unknown): void {
      const proto = modelsPrototype(exports);
      for (const method of METHODS) if (base.isWrapped(proto[method])) this._unwrap(proto, method);
    }

    private recorded(method: Method, original: Original): Original {
      const tracer = () => this.tracer;
      return function (this: ModelsLike, params: Params) {
        const operation =
          method === 'embedContentInternal' ? S.GEN_AI_OPERATION_EMBEDDINGS : S.GEN_AI_OPERATION_GENERATE_CONTENT;
        const model = safely(() => modelName(params?.model), undefined);
        const span = tracer().startSpan(model ? `${operation} ${model}` : operation, {
          kind: SpanKind.CLIENT,
          attributes: safely(() => requestAttributes(this, params, operation, model, captureContent), {
            [S.ATTR_GEN_AI_OPERATION_NAME]: operation,
          }),
        });
        let pending: Promise<unknown>;
        try {
          pending = context.with(trace.setSpan(context.active(), span), () => original.call(this, params));
        } catch (err) {
          fail(span, err);
          throw err;
        }
        return Promise.resolve(pending).then(
          (response) => {
            if (method === 'generateContentStreamInternal' && safely(() => isAsyncIterable(response), false)) {
              return recordedStream(response as AsyncIterable<unknown>, span, captureContent);
            }
            const embedding = method === 'embedContentInternal';
            end(
              span,
              safely(
                () => (embedding ? embeddingAttributes(response) : responseAttributes([response], captureContent)),
                {},
              ),
            );
            return response;
          },
          (err: unknown) => {
            fail(span, err);
            throw err;
          },
        );
      };
    }
  }
  return new Instrumentation();
}

/** What the instrumentation reads off a request or a response never fails the call: what cannot be read is left out. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function modelsPrototype(exports: unknown): Record<Method, unknown> {
  const models =
    isRecord(exports) || typeof exports === 'function' ? (exports as { Models?: unknown }).Models : undefined;
  if (typeof models !== 'function') throw new Error('the module has no Models class');
  return models.prototype as Record<Method, unknown>;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return isRecord(value) && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** `models/gemini-2.5-flash`, `publishers/google/models/gemini-2.5-flash` -> `gemini-2.5-flash`. */
export function modelName(model: unknown): string | undefined {
  const name = asString(model);
  if (!name) return undefined;
  const at = name.lastIndexOf('models/');
  return at === -1 ? name : name.slice(at + 'models/'.length);
}

function requestAttributes(
  models: ModelsLike,
  params: Params,
  operation: string,
  model: string | undefined,
  content: boolean,
): Attributes {
  let vertex = false;
  try {
    vertex = models.apiClient?.isVertexAI?.() === true;
  } catch {
    // An API client of another shape: the Gemini API is the default.
  }
  const attributes: Attributes = {
    [S.ATTR_GEN_AI_OPERATION_NAME]: operation,
    [S.ATTR_GEN_AI_PROVIDER_NAME]: vertex ? 'gcp.vertex_ai' : 'gcp.gemini',
  };
  put(attributes, S.ATTR_GEN_AI_REQUEST_MODEL, model);
  const config = isRecord(params?.config) ? params.config : {};
  for (const [option, key] of REQUEST_OPTIONS) put(attributes, key, asNumber(config[option]));
  const stops = Array.isArray(config.stopSequences) ? config.stopSequences.filter((s) => typeof s === 'string') : [];
  if (stops.length > 0) attributes[S.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stops;
  if (content && operation !== S.GEN_AI_OPERATION_EMBEDDINGS) {
    put(attributes, S.ATTR_GEN_AI_INPUT_MESSAGES, safeJsonStringify(inputMessages(params?.contents)));
    const system = config.systemInstruction;
    if (system !== undefined) put(attributes, S.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, safeJsonStringify(partsOf(system)));
  }
  return attributes;
}

interface OtelPart {
  type: string;
  [key: string]: unknown;
}

/** A Gemini part as a GenAI message part (text, tool call, tool response, reasoning, blob). */
export function otelPart(part: unknown): OtelPart {
  if (typeof part === 'string') return { type: 'text', content: part };
  if (!isRecord(part)) return { type: 'unknown', content: part };
  if (typeof part.text === 'string') return { type: part.thought === true ? 'reasoning' : 'text', content: part.text };
  if (isRecord(part.functionCall)) {
    const call = part.functionCall;
    return { type: 'tool_call', id: asString(call.id), name: asString(call.name), arguments: call.args };
  }
  if (isRecord(part.functionResponse)) {
    const result = part.functionResponse;
    return {
      type: 'tool_call_response',
      id: asString(result.id),
      name: asString(result.name),
      response: result.response,
    };
  }
  const blob = isRecord(part.inlineData) ? part.inlineData : isRecord(part.fileData) ? part.fileData : undefined;
  if (blob)
    return { type: 'blob', mime_type: asString(blob.mimeType), modality: asString(blob.mimeType)?.split('/')[0] };
  return { type: Object.keys(part)[0] ?? 'unknown' };
}

/** A Content, a Part, a string, or a list of Parts, as GenAI parts. */
function partsOf(value: unknown): OtelPart[] {
  if (Array.isArray(value)) return value.map(otelPart);
  if (isRecord(value) && Array.isArray(value.parts)) return value.parts.map(otelPart);
  return [otelPart(value)];
}

const isContent = (value: unknown): value is Record<string, unknown> =>
  isRecord(value) && (Array.isArray(value.parts) || typeof value.role === 'string');

/** `contents` (a string, a Content, Parts, or a list of Contents) as GenAI input messages. */
export function inputMessages(contents: unknown): { role: string; parts: OtelPart[] }[] {
  const list = Array.isArray(contents) ? contents : [contents];
  if (!list.some(isContent)) return [{ role: 'user', parts: list.map(otelPart) }];
  return list.map((c) =>
    isContent(c)
      ? { role: c.role === 'model' ? 'assistant' : (asString(c.role) ?? 'user'), parts: partsOf(c) }
      : { role: 'user', parts: [otelPart(c)] },
  );
}

/** Everything read off a response, kept apart from where it is written so a stream can gather it. */
interface ResponseRecord {
  id?: string;
  model?: string;
  usage?: Record<string, unknown>;
  finishReasons: string[];
  output: { role: string; parts: OtelPart[]; finish_reason?: string }[];
}

function finishReason(value: unknown): string | undefined {
  const reason = asString(value);
  return reason === undefined ? undefined : (FINISH_REASONS[reason] ?? reason.toLowerCase());
}

/** A response, or the chunks of a stream in order: the last id, model and usage; the candidates' parts joined. */
export function readResponses(responses: unknown[]): ResponseRecord {
  const out: ResponseRecord = { finishReasons: [], output: [] };
  for (const response of responses) {
    if (!isRecord(response)) continue;
    out.id = asString(response.responseId) ?? out.id;
    out.model = asString(response.modelVersion) ?? out.model;
    if (isRecord(response.usageMetadata)) out.usage = response.usageMetadata;
    const candidates = Array.isArray(response.candidates) ? response.candidates : [];
    candidates.forEach((candidate: unknown, i: number) => {
      if (!isRecord(candidate)) return;
      const index = asCount(candidate.index) ?? i;
      const message = out.output[index] ?? { role: 'assistant', parts: [] };
      out.output[index] = message;
      const content = isRecord(candidate.content) ? candidate.content : undefined;
      for (const part of Array.isArray(content?.parts) ? content.parts : []) appendPart(message.parts, otelPart(part));
      const reason = finishReason(candidate.finishReason);
      if (reason) message.finish_reason = reason;
    });
  }
  out.finishReasons = out.output.flatMap((m) => (m?.finish_reason ? [m.finish_reason] : []));
  return out;
}

/** Stream chunks carry text in pieces: a text part after a text part of the same kind is one part. */
function appendPart(parts: OtelPart[], part: OtelPart): void {
  const last = parts[parts.length - 1];
  if (last && last.type === part.type && (part.type === 'text' || part.type === 'reasoning')) {
    last.content = `${String(last.content)}${String(part.content)}`;
  } else {
    parts.push(part);
  }
}

/**
 * Usage as the GenAI conventions count it. Gemini's `promptTokenCount` already includes the
 * cached tokens; its `candidatesTokenCount` leaves the thinking tokens out, which are billed as
 * output, so output = candidates + thoughts (and the thoughts are the reasoning part of it).
 */
export function usageAttributes(usage: Record<string, unknown> | undefined): Attributes {
  const attributes: Attributes = {};
  if (!usage) return attributes;
  const candidates = asCount(usage.candidatesTokenCount);
  const thoughts = asCount(usage.thoughtsTokenCount);
  put(attributes, S.ATTR_GEN_AI_USAGE_INPUT_TOKENS, asCount(usage.promptTokenCount));
  if (candidates !== undefined || thoughts !== undefined) {
    attributes[S.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = (candidates ?? 0) + (thoughts ?? 0);
  }
  put(attributes, S.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, asCount(usage.cachedContentTokenCount));
  put(attributes, S.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, thoughts);
  return attributes;
}

function end(span: Span, attributes: Attributes): void {
  span.setAttributes(attributes);
  span.end();
}

/** What a response (or a stream's chunks) says: usage, id, model, finish reasons, the output when captured. */
function responseAttributes(responses: unknown[], content: boolean): Attributes {
  const record = readResponses(responses);
  const attributes = usageAttributes(record.usage);
  put(attributes, S.ATTR_GEN_AI_RESPONSE_ID, record.id);
  put(attributes, S.ATTR_GEN_AI_RESPONSE_MODEL, record.model);
  if (record.finishReasons.length > 0) attributes[S.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = record.finishReasons;
  if (content && record.output.length > 0) {
    put(attributes, S.ATTR_GEN_AI_OUTPUT_MESSAGES, safeJsonStringify(record.output.filter(Boolean)));
  }
  return attributes;
}

/** An embedding response: Vertex AI counts each input's tokens; the Gemini API counts none. */
function embeddingAttributes(response: unknown): Attributes {
  const attributes: Attributes = {};
  const embeddings = isRecord(response) && Array.isArray(response.embeddings) ? response.embeddings : [];
  let tokens: number | undefined;
  for (const e of embeddings) {
    const count = isRecord(e) && isRecord(e.statistics) ? asCount(e.statistics.tokenCount) : undefined;
    if (count !== undefined) tokens = (tokens ?? 0) + count;
  }
  put(attributes, S.ATTR_GEN_AI_USAGE_INPUT_TOKENS, tokens);
  const first = embeddings[0];
  if (isRecord(first) && Array.isArray(first.values))
    attributes[S.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = first.values.length;
  return attributes;
}

/** The stream, passed through chunk by chunk; the span ends when it is done, fails or is left early. */
async function* recordedStream(stream: AsyncIterable<unknown>, span: Span, content: boolean): AsyncGenerator<unknown> {
  const chunks: unknown[] = [];
  let failed = false;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      yield chunk;
    }
  } catch (err) {
    failed = true;
    fail(span, err);
    throw err;
  } finally {
    if (!failed)
      end(
        span,
        safely(() => responseAttributes(chunks, content), {}),
      );
  }
}

function fail(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(errorText(err));
  span.recordException(error);
  const status = asCount((err as { status?: unknown } | undefined)?.status);
  span.setAttribute(S.ATTR_ERROR_TYPE, status !== undefined ? String(status) : error.name || 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}
