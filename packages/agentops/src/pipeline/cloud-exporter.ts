/**
 * Sending the way AgentOps' current cloud ingests (its 0.4.x protocol): the API key is exchanged
 * once for a project token (`POST {endpoint}/v3/auth/token`), then spans go as OTLP/HTTP to the
 * exporter endpoint with the token as a Bearer, each carrying the attribute names that backend reads
 * (`agentops.span.kind`, `gen_ai.usage.prompt_tokens`, ...) beside its own. As AgentOps' clients
 * do: if authentication fails, spans are sent without a token; a 401 or 403 pauses export for 60 s,
 * after which the key is exchanged again.
 */
import { agentOpsV04Attributes, type Logger, type Mask } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** AgentOps' OTLP endpoint for traces. */
export const DEFAULT_EXPORTER_ENDPOINT = 'https://otlp.agentops.ai/v1/traces';
/** How long export pauses after the cloud refused the token. */
export const REFUSED_PAUSE_MILLIS = 60_000;
const AUTH_TIMEOUT_MILLIS = 10_000;

export interface CloudExporterOptions {
  apiKey: string;
  /** The API, for `/v3/auth/token`. */
  endpoint: string;
  /** Where spans go (OTLP/HTTP traces URL). */
  exporterEndpoint: string;
  logger: Logger;
  /** The pipeline's mask: what is sent, the 0.4 attributes included, passes it. */
  mask?: Mask;
  /** Makes the OTLP exporter for a URL and headers (OpenTelemetry's, from an optional peer). */
  makeExporter: (url: string, headers: Record<string, string>) => SpanExporter;
  /** The clock, for tests. */
  now?: () => number;
}

/** The span with the 0.4 attributes it lacks, the span itself otherwise. */
export function withV04Attributes(span: ReadableSpan): ReadableSpan {
  let extra: ReturnType<typeof agentOpsV04Attributes>;
  try {
    extra = agentOpsV04Attributes(span);
  } catch {
    return span;
  }
  if (!extra) return span;
  // The span's own fields and methods stay as they are (through the prototype); only the attributes differ.
  return Object.create(span, {
    attributes: { value: { ...span.attributes, ...extra }, enumerable: true },
  }) as ReadableSpan;
}

export class AgentOpsCloudExporter implements SpanExporter {
  readonly #o: CloudExporterOptions;
  readonly #now: () => number;
  #inner: Promise<SpanExporter> | undefined;
  #pausedUntil = 0;
  #saidPaused = false;

  constructor(options: CloudExporterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#now() < this.#pausedUntil) {
      done({ code: ExportResultCode.FAILED, error: new Error('export is paused: AgentOps refused the token') });
      return;
    }
    this.#inner ??= this.#connect();
    this.#inner.then(
      (inner) =>
        inner.export(this.#outgoing(spans), (result) => {
          const status = (result.error as { code?: unknown } | undefined)?.code;
          if (status === 401 || status === 403) this.#pause(status);
          done(result);
        }),
      (err) => done({ code: ExportResultCode.FAILED, error: err as Error }),
    );
  }

  /** The spans as sent: with the 0.4 attributes, then masked (a span the mask cannot read is not sent). */
  #outgoing(spans: ReadableSpan[]): ReadableSpan[] {
    const mask = this.#o.mask;
    const out: ReadableSpan[] = [];
    for (const span of spans) {
      const sent = mask ? mask.span(withV04Attributes(span)) : withV04Attributes(span);
      if (sent) out.push(sent);
    }
    return out;
  }

  async forceFlush(): Promise<void> {
    await (await this.#inner)?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    const inner = this.#inner;
    this.#inner = undefined;
    await (await inner)?.shutdown();
  }

  /** Pauses export; the next export after the pause exchanges the key again. */
  #pause(status: number): void {
    this.#pausedUntil = this.#now() + REFUSED_PAUSE_MILLIS;
    const inner = this.#inner;
    this.#inner = undefined;
    void inner?.then((e) => e.shutdown()).catch(() => {});
    if (!this.#saidPaused) {
      this.#saidPaused = true;
      this.#o.logger.warn(
        `AgentOps refused the spans (${status}) at ${this.#o.exporterEndpoint}: export paused for ${REFUSED_PAUSE_MILLIS / 1000} s, then the API key is exchanged again.`,
      );
    }
  }

  async #connect(): Promise<SpanExporter> {
    const token = await this.#token();
    return this.#o.makeExporter(this.#o.exporterEndpoint, token ? { authorization: `Bearer ${token}` } : {});
  }

  /** The project token for the API key, or undefined (said once) when AgentOps gives none. */
  async #token(): Promise<string | undefined> {
    const url = `${this.#o.endpoint.replace(/\/+$/, '')}/v3/auth/token`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: this.#o.apiKey }),
        signal: AbortSignal.timeout(AUTH_TIMEOUT_MILLIS),
      });
      const body = (await res.json().catch(() => undefined)) as { token?: unknown } | undefined;
      if (res.ok && typeof body?.token === 'string' && body.token.length > 0) return body.token;
      this.#o.logger.warn(`AgentOps gave no token at ${url} (${res.status}): spans are sent without one.`);
    } catch (err) {
      this.#o.logger.warn(`could not reach ${url} for a token (${errorText(err)}): spans are sent without one.`);
    }
    return undefined;
  }
}
