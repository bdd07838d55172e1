/**
 * An OTLP/HTTP trace request's bytes -> the AgentOps items its spans stand for: decode (protobuf or
 * JSON), flatten, map. Pure and synchronous: run on the main thread for small requests and in the
 * OTLP worker (otlp-worker.ts) for large ones.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { type MappedItem, mapSpan, type PriceFn } from '@agentops/exporter';
import { decodeTraceRequest } from './otlp-protobuf.js';
import { type OtlpTraceRequest, otlpToSpans } from './otlp-spans.js';

export const PROTOBUF = 'application/x-protobuf';
/** Items stored in one turn of the event loop (and sent from the OTLP worker in one message). */
export const ITEMS_PER_TURN = 500;

/** A request that cannot be read: answered 400 with its message. */
export class UnreadableRequest extends Error {}

/**
 * A request larger than the receiver takes, as sent or decompressed: answered 413 (by the app's
 * error handler, from `statusCode` and `code`, as `UnsupportedMediaType`'s 415).
 */
export class TooLarge extends Error {
  readonly statusCode = 413;
  readonly code = 'Payload Too Large';
}

/** A body of a type or in an encoding the receiver does not take: answered 415. */
export class UnsupportedMediaType extends Error {
  readonly statusCode = 415;
  readonly code = 'Unsupported Media Type';
}

/** How a request's body is encoded (`Content-Encoding`): OTLP clients may gzip it. */
export type ContentEncoding = 'identity' | 'gzip' | 'deflate' | 'br';

/** The encoding a `Content-Encoding` header names; undefined for one the receiver does not take. */
export function contentEncodingOf(header: string | string[] | undefined): ContentEncoding | undefined {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate' || value === 'br') return value;
  return undefined;
}

/**
 * A body as it was sent -> its bytes, at most `maxBytes` of them once decompressed (a small
 * compressed body can stand for a great deal: it is refused as too large, not inflated).
 */
export function decompress(bytes: Uint8Array, encoding: ContentEncoding, maxBytes: number): Uint8Array {
  if (encoding === 'identity') return bytes;
  const options = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'gzip') return gunzipSync(bytes, options);
    if (encoding === 'deflate') return inflateSync(bytes, options);
    return brotliDecompressSync(bytes, options);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
      throw new TooLarge(`the body is over ${maxBytes} bytes once decompressed (${encoding})`);
    throw new UnreadableRequest(`the body is not valid ${encoding}: ${(err as Error).message}`);
  }
}

/** A request's bytes (decompressed) as protobuf or JSON, by its content type; `UnreadableRequest` if they are neither. */
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
