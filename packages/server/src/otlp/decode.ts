/**
 * An OTLP/HTTP trace request's bytes -> the AgentOps items its spans stand for: decode (protobuf or
 * JSON), flatten, map. Pure and synchronous: run on the main thread for small requests and in the
 * OTLP worker (otlp-worker.ts) for large ones.
 */
import { type MappedItem, mapSpan, type PriceFn } from '@agentops/exporter';
import { decodeTraceRequest } from './otlp-protobuf.js';
import { type OtlpTraceRequest, otlpToSpans } from './otlp-spans.js';

export const PROTOBUF = 'application/x-protobuf';
/** Items stored in one turn of the event loop (and sent from the OTLP worker in one message). */
export const ITEMS_PER_TURN = 500;

/** A request that cannot be read: answered 400 with its message. */
export class UnreadableRequest extends Error {}

export function decodeOtlp(bytes: Uint8Array, contentType: string | undefined): OtlpTraceRequest {
  if (contentType?.startsWith(PROTOBUF)) {
    try {
      return decodeTraceRequest(bytes);
    } catch (err) {
      throw new UnreadableRequest(`not an OTLP ExportTraceServiceRequest: ${(err as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new UnreadableRequest(`the body is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UnreadableRequest('the body is not an OTLP ExportTraceServiceRequest object');
  }
  const spans = (parsed as { resourceSpans?: unknown }).resourceSpans;
  if (spans !== undefined && !Array.isArray(spans)) throw new UnreadableRequest('resourceSpans must be an array');
  return parsed as OtlpTraceRequest;
}

export function mapOtlp(request: OtlpTraceRequest, price: PriceFn | undefined): MappedItem[] {
  let spans: ReturnType<typeof otlpToSpans>;
  try {
    spans = otlpToSpans(request);
  } catch (err) {
    throw new UnreadableRequest((err as Error).message);
  }
  const items: MappedItem[] = [];
  for (const span of spans) {
    try {
      for (const item of mapSpan(span, { traceIdFallback: true, price })) items.push(item);
    } catch (err) {
      throw new UnreadableRequest(`span ${JSON.stringify(span.name)} cannot be read: ${(err as Error).message}`);
    }
  }
  return items;
}
