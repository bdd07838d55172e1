/** Where a session starts: a fresh trace, or inside the trace of a session started elsewhere. */
import { type Logger, sessionIdToTraceId } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { type Context, context, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { sessionIdFromContext } from '../context-keys.js';
import { type Carrier, extractFrom } from '../propagation.js';

export interface StartSessionOptions {
  tags?: string[];
  /** What this run is (a workflow, an agent, a job): shown with the session in the dashboard and the export. */
  name?: string;
  /** Who this session runs for (`user.id`). Default: `init({ userId })`. */
  userId?: string;
  /** Default: `init({ environment })`, else `AGENTOPS_ENVIRONMENT`. */
  environment?: string;
  /** Default: `init({ release })`, else `AGENTOPS_RELEASE`. */
  release?: string;
  /** Join this session, started in another process. */
  inheritedSessionId?: string;
  /** Join the session carried by these W3C headers (`traceparent`, `baggage`). */
  headers?: Carrier;
  /**
   * The session this one replays (`agentops.replay()` sets it), and for a fork the step from which
   * it ran live: the dashboard shows the two side by side.
   */
  forkedFrom?: { sessionId: string; step?: number };
}

export interface StartPoint {
  /** The context the session's root span starts in. */
  parent: Context;
  /** True when the session was started elsewhere and this process joins it. */
  inherited: boolean;
}

/** Never throws: what cannot be read is said, and a new session starts instead. */
export function startPoint(options: StartSessionOptions, logger: Logger): StartPoint {
  try {
    return joinPoint(options, logger) ?? { parent: context.active(), inherited: false };
  } catch (err) {
    logger.warn(`startSession(): could not read the given headers or id (${errorText(err)}); starting a new session.`);
    return { parent: context.active(), inherited: false };
  }
}

/** The context to start a joined session in, or undefined to start a new one. */
function joinPoint(options: StartSessionOptions, logger: Logger): StartPoint | undefined {
  const active = context.active();
  if (options.headers !== undefined) {
    if (typeof options.headers === 'object' && options.headers !== null) {
      const extracted = extractFrom(options.headers);
      const fromBaggage = sessionIdFromContext(extracted);
      const traceId = fromBaggage ? sessionIdToTraceId(fromBaggage) : trace.getSpanContext(extracted)?.traceId;
      const remote = trace.getSpanContext(extracted);
      if (traceId && remote && remote.traceId === traceId) return { parent: extracted, inherited: true };
      if (traceId) return { parent: trace.setSpanContext(extracted, remoteParent(traceId)), inherited: true };
    }
    logger.warn('startSession({ headers }): no valid traceparent or agentops baggage found; starting a new session.');
  }
  if (options.inheritedSessionId !== undefined) {
    const traceId = sessionIdToTraceId(options.inheritedSessionId);
    if (traceId) return { parent: trace.setSpanContext(active, remoteParent(traceId)), inherited: true };
    logger.warn('inheritedSessionId is not a session id (a UUID); starting a new session.');
  }
  return undefined;
}

/** 8 random bytes in hex (Web Crypto: every runtime has it). */
function randomSpanId(): string {
  let hex = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(8))) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function remoteParent(traceId: string): SpanContext {
  return { traceId, spanId: randomSpanId(), traceFlags: TraceFlags.SAMPLED, isRemote: true };
}
