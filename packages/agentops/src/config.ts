/** `InitOptions` and how they combine with the environment (`AGENTOPS_*`). */
import {
  createConsoleLogger,
  DEFAULT_ENDPOINT,
  type Logger,
  type LogLevel,
  Mask,
  type MaskOption,
  type SpanFilter,
} from '@agentops/exporter';
import { isLogLevel, tagList } from '@agentops/exporter/internal';
import type { MeterProvider } from '@opentelemetry/api';
import { safeOptions } from './events/safe-options.js';
import { DEFAULT_EXPORTER_ENDPOINT } from './pipeline/cloud-exporter.js';

export interface OtlpOptions {
  /** OTLP/HTTP traces URL; defaults to the standard `OTEL_EXPORTER_OTLP_*` variables. */
  url?: string;
  headers?: Record<string, string>;
}

/** How sessions reach AgentOps: its REST API v2, or OTLP as its current cloud ingests. */
export type Protocol = 'v2' | 'otlp';

export interface InitOptions {
  /** Default `AGENTOPS_API_KEY`. Without one, nothing is sent to AgentOps (OTLP export still works). */
  apiKey?: string;
  /** Default `AGENTOPS_API_ENDPOINT`, else `https://api.agentops.ai`. */
  endpoint?: string;
  /** Tags every session started by this client gets. */
  tags?: string[];
  /** Who sessions run for (`user.id` on the session); a session's own `userId` wins. */
  userId?: string;
  /** Where the app runs (`production`, `staging`, ...). Default `AGENTOPS_ENVIRONMENT`. */
  environment?: string;
  /** The app's release (a version or commit). Default `AGENTOPS_RELEASE`. */
  release?: string;
  /** Start a session in `init()`. Default true. */
  autoStartSession?: boolean;
  /** Join this session (started in another process) instead of starting a new one. */
  inheritedSessionId?: string;
  /** Instrument LLM client libraries (openai) found in the app. Default true. */
  instrumentLlmCalls?: boolean;
  /** Most spans waiting for export, and most events waiting for delivery. Default 10,000. */
  maxQueueSize?: number;
  /** Longest time (ms) a finished span waits before it is exported. Default 1,000. */
  maxWaitTime?: number;
  /**
   * `'immediate'`: each finished span's delivery starts at once, no batching wait (`maxWaitTime`
   * 0), for processes a platform freezes between calls (serverless functions; see `withSession`).
   * Default `'batch'`, or `AGENTOPS_EXPORT_MODE`.
   */
  exportMode?: 'batch' | 'immediate';
  /** End sessions and flush on exit, signals and crashes. Default true. */
  handleExit?: boolean;
  /** Send only SDK and OS facts about the host. Default `AGENTOPS_ENV_DATA_OPT_OUT`. */
  envDataOptOut?: boolean;
  /**
   * Record prompts, completions, tool arguments and results. Default true, or what
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` says, read as the OpenTelemetry GenAI
   * instrumentations read it: with `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`,
   * `SPAN_ONLY` or `SPAN_AND_EVENT` capture and `NO_CONTENT` or `EVENT_ONLY` do not (AgentOps
   * records content on spans only); without it, `true` or `false`.
   */
  captureContent?: boolean;
  /**
   * Also record each LLM call's HTTP exchange (request and response, as the client sent and read
   * them; never a header with a key) so the session can be replayed with `agentops.replay()`. Needs
   * content capture; masked like everything else. Node's `fetch` only. Default
   * `AGENTOPS_RECORD_REPLAY`, else false.
   */
  recordReplay?: boolean;
  /**
   * Masks every value before it leaves the app, on every path (session start and updates, events,
   * errors, resource, evaluations, both protocols and the OTLP export): rules
   * `{ match: attribute name or RegExp, action: 'redact' | 'hash' | 'drop' }` (or, as JSON,
   * `{ pattern, flags, action }`), or `{ rules, fn }` with a function of each text value, seen
   * decoded (message contents, not their JSON). A mask that fails drops the value.
   */
  mask?: MaskOption;
  /** Also export every span as OTLP/HTTP. */
  otlp?: OtlpOptions | boolean;
  /**
   * The GenAI metrics (`gen_ai.client.token.usage`, `gen_ai.client.operation.duration`), the MCP
   * durations and the session metrics (`agentops.sessions`, `agentops.session.duration`,
   * `agentops.session.cost`). Default: on the app's global `MeterProvider` when it registered one,
   * else none. A `MeterProvider`: on that one. `true`: exported as OTLP/HTTP (the standard
   * `OTEL_EXPORTER_OTLP_METRICS_*` settings; needs `@opentelemetry/sdk-metrics` and
   * `@opentelemetry/exporter-metrics-otlp-http`). `false`: none.
   */
  metrics?: boolean | MeterProvider;
  /**
   * How sessions reach AgentOps. `'v2'` (the default): the REST API v2. `'otlp'`: the way AgentOps'
   * current cloud ingests (its 0.4 protocol): a token from `/v3/auth/token`, then OTLP/HTTP to
   * `exporterEndpoint` with the attribute names that backend reads. Default `AGENTOPS_PROTOCOL`.
   */
  protocol?: Protocol;
  /** Where spans go with `protocol: 'otlp'`. Default `AGENTOPS_EXPORTER_ENDPOINT`, else AgentOps' cloud. */
  exporterEndpoint?: string;
  /** Send every span of a session, not just agent work (others go as actions). */
  exportAllSpans?: boolean;
  /** Replace the rule deciding which spans are sent. */
  spanFilter?: SpanFilter;
  /** Default `AGENTOPS_LOG_LEVEL`, else `info`. */
  logLevel?: LogLevel;
  /** How long flushes at session end, shutdown and exit wait for delivery (ms). Default 10,000. */
  flushTimeoutMillis?: number;
}

export interface ResolvedConfig {
  apiKey: string | undefined;
  endpoint: string;
  tags: string[];
  userId: string | undefined;
  environment: string | undefined;
  release: string | undefined;
  autoStartSession: boolean;
  inheritedSessionId: string | undefined;
  instrumentLlmCalls: boolean;
  maxQueueSize: number;
  maxWaitTime: number;
  handleExit: boolean;
  envDataOptOut: boolean;
  captureContent: boolean;
  recordReplay: boolean;
  /** The mask, compiled once: every path out of the process passes this one. */
  mask: Mask | undefined;
  otlp: OtlpOptions | undefined;
  metrics: boolean | MeterProvider | undefined;
  protocol: Protocol;
  exporterEndpoint: string;
  exportAllSpans: boolean;
  spanFilter: SpanFilter | undefined;
  flushTimeoutMillis: number;
  logger: Logger;
}

function exportModeOf(value: unknown, logger: Logger): 'batch' | 'immediate' {
  const mode = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (mode === 'immediate' || mode === 'batch') return mode;
  if (mode !== undefined && mode !== '')
    logger.warn(`exportMode ${JSON.stringify(String(value)).slice(0, 40)} is not one (batch or immediate): batching.`);
  return 'batch';
}

function protocolOf(value: unknown, logger: Logger): Protocol {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (name === 'otlp' || name === 'v2') return name;
  if (name !== undefined && name !== '')
    logger.warn(`protocol ${JSON.stringify(String(value)).slice(0, 40)} is not one (v2 or otlp): sending with v2.`);
  return 'v2';
}

/** A name given as an option or a variable: a non-empty string, bounded; else undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 512) : undefined;
}

function envFlag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** The opt-in of OpenTelemetry's instrumentations to the latest, experimental GenAI conventions. */
export const GEN_AI_LATEST_EXPERIMENTAL = 'gen_ai_latest_experimental';

/** Whether `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list) opts in to the latest GenAI conventions. */
export function optsInToLatestGenAi(env: NodeJS.ProcessEnv): boolean {
  return (env.OTEL_SEMCONV_STABILITY_OPT_IN ?? '')
    .split(',')
    .some((entry) => entry.trim().toLowerCase() === GEN_AI_LATEST_EXPERIMENTAL);
}

const warnedContentModes = new Set<string>();

/**
 * Content capture as `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` sets it; undefined when
 * it is unset or not a value of the conventions in force (said once).
 */
function contentCaptureFromEnv(env: NodeJS.ProcessEnv, logger: Logger): boolean | undefined {
  const raw = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim();
  if (!raw) return undefined;
  const latest = optsInToLatestGenAi(env);
  const value = latest ? raw.toUpperCase() : raw.toLowerCase();
  const modes: Record<string, boolean> = latest
    ? { SPAN_ONLY: true, SPAN_AND_EVENT: true, NO_CONTENT: false, EVENT_ONLY: false }
    : { true: true, false: false };
  if (value in modes) return modes[value];
  if (warnedContentModes.has(raw)) return undefined;
  warnedContentModes.add(raw);
  logger.warn(
    `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=${JSON.stringify(raw.slice(0, 40))} is not one of ${Object.keys(modes).join(', ')}` +
      (latest
        ? ` (with ${GEN_AI_LATEST_EXPERIMENTAL})`
        : ` (without OTEL_SEMCONV_STABILITY_OPT_IN=${GEN_AI_LATEST_EXPERIMENTAL})`) +
      ': content is captured.',
  );
  return undefined;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/** The process's environment, or none where the runtime has no `process` (a Worker without `nodejs_compat`). */
function processEnv(): NodeJS.ProcessEnv {
  return typeof process === 'object' && process?.env ? process.env : {};
}

export function resolveConfig(options: InitOptions = {}, env: NodeJS.ProcessEnv = processEnv()): ResolvedConfig {
  // A plain copy, read one key at a time: an option whose getter throws is lost, not the rest.
  const o = safeOptions<InitOptions>(options);
  const level = isLogLevel(o.logLevel)
    ? o.logLevel
    : isLogLevel(env.AGENTOPS_LOG_LEVEL?.toLowerCase())
      ? (env.AGENTOPS_LOG_LEVEL?.toLowerCase() as LogLevel)
      : 'info';
  const apiKey = typeof o.apiKey === 'string' && o.apiKey !== '' ? o.apiKey : env.AGENTOPS_API_KEY || undefined;
  const logger = createConsoleLogger(level);
  const otlp =
    o.otlp === true ? {} : typeof o.otlp === 'object' && o.otlp !== null ? safeOptions<OtlpOptions>(o.otlp) : undefined;
  return {
    apiKey,
    endpoint: (typeof o.endpoint === 'string' && o.endpoint) || env.AGENTOPS_API_ENDPOINT || DEFAULT_ENDPOINT,
    tags: tagList(o.tags) ?? [],
    userId: text(o.userId),
    environment: text(o.environment) ?? text(env.AGENTOPS_ENVIRONMENT),
    release: text(o.release) ?? text(env.AGENTOPS_RELEASE),
    autoStartSession: o.autoStartSession !== false,
    inheritedSessionId: typeof o.inheritedSessionId === 'string' ? o.inheritedSessionId : undefined,
    instrumentLlmCalls: o.instrumentLlmCalls !== false,
    maxQueueSize: positive(o.maxQueueSize, 10_000),
    maxWaitTime:
      exportModeOf(o.exportMode ?? env.AGENTOPS_EXPORT_MODE, logger) === 'immediate'
        ? 0
        : positive(o.maxWaitTime, 1_000),
    handleExit: o.handleExit !== false,
    envDataOptOut:
      typeof o.envDataOptOut === 'boolean' ? o.envDataOptOut : (envFlag(env.AGENTOPS_ENV_DATA_OPT_OUT) ?? false),
    captureContent:
      typeof o.captureContent === 'boolean' ? o.captureContent : (contentCaptureFromEnv(env, logger) ?? true),
    recordReplay: typeof o.recordReplay === 'boolean' ? o.recordReplay : (envFlag(env.AGENTOPS_RECORD_REPLAY) ?? false),
    mask: Mask.of(o.mask, (m) => logger.warn(m)),
    otlp,
    metrics: typeof o.metrics === 'boolean' || isMeterProvider(o.metrics) ? o.metrics : undefined,
    protocol: protocolOf(o.protocol ?? env.AGENTOPS_PROTOCOL, logger),
    exporterEndpoint:
      (typeof o.exporterEndpoint === 'string' && o.exporterEndpoint) ||
      env.AGENTOPS_EXPORTER_ENDPOINT ||
      DEFAULT_EXPORTER_ENDPOINT,
    exportAllSpans: o.exportAllSpans === true,
    spanFilter: typeof o.spanFilter === 'function' ? o.spanFilter : undefined,
    flushTimeoutMillis: positive(o.flushTimeoutMillis, 10_000),
    logger,
  };
}

/** Said once per processor made without a key: spans are still stamped with their session. */
export function warnNoApiKey(logger: Logger): void {
  logger.warn('no API key (set AGENTOPS_API_KEY or pass apiKey): sessions are recorded but not sent to AgentOps.');
}

function isMeterProvider(value: unknown): value is MeterProvider {
  try {
    return typeof (value as MeterProvider | undefined)?.getMeter === 'function';
  } catch {
    return false;
  }
}
