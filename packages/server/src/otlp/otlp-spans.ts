/**
 * OTLP trace requests (the JSON encoding; protobuf messages decode to the same shape) -> `SpanLike`,
 * the input of the exporter's span mapping.
 */

import type { SpanLike } from '@agentops/exporter';
import type { Attributes, AttributeValue, HrTime, SpanKind } from '@opentelemetry/api';

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string | { toString(): string };
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string | Uint8Array;
}
export interface KeyValue {
  key: string;
  value?: AnyValue;
}
export interface OtlpSpan {
  traceId: string | Uint8Array;
  spanId: string | Uint8Array;
  parentSpanId?: string | Uint8Array;
  name: string;
  kind?: number;
  startTimeUnixNano?: string | number | { toString(): string };
  endTimeUnixNano?: string | number | { toString(): string };
  attributes?: KeyValue[];
  events?: { name: string; timeUnixNano?: string | number; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}

function hexId(id: string | Uint8Array | undefined): string {
  if (id === undefined) return '';
  return typeof id === 'string' ? id.toLowerCase() : Buffer.from(id).toString('hex');
}

function scalar(v: AnyValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue.toString());
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.kvlistValue !== undefined)
    return JSON.stringify(Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, scalar(kv.value)])));
  if (v.bytesValue !== undefined)
    return typeof v.bytesValue === 'string' ? v.bytesValue : Buffer.from(v.bytesValue).toString('base64');
  return undefined;
}

function attributeValue(v: AnyValue | undefined): AttributeValue | undefined {
  if (v?.arrayValue) {
    const items = (v.arrayValue.values ?? []).map(scalar).filter((x) => x !== undefined);
    return items as AttributeValue;
  }
  return scalar(v);
}

export function toAttributes(list: KeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) {
    const value = attributeValue(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

/** The latest time a span may carry: the end of year 9999, as an ISO-8601 timestamp can say. */
const LATEST_NANOS = BigInt(Date.UTC(9999, 11, 31, 23, 59, 59, 999)) * 1_000_000n;

function hrTime(nanos: string | number | { toString(): string } | undefined, field: string): HrTime {
  if (nanos === undefined) return [0, 0];
  let n: bigint;
  try {
    n = BigInt(String(nanos));
  } catch {
    throw new Error(`${field} is not a number of nanoseconds: ${JSON.stringify(String(nanos).slice(0, 40))}`);
  }
  if (n < 0n || n > LATEST_NANOS) throw new Error(`${field} is outside 1970 to 9999: ${String(n).slice(0, 40)}`);
  return [Number(n / 1_000_000_000n), Number(n % 1_000_000_000n)];
}

/** A name as text: OTLP JSON may carry a number, an object or nothing where a string belongs. */
function nameOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Flattens a request into spans with their resource. Throws on ids that are not hex. */
export function otlpToSpans(request: OtlpTraceRequest): SpanLike[] {
  const spans: SpanLike[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = { attributes: toAttributes(rs.resource?.attributes) };
    for (const ss of rs.scopeSpans ?? []) {
      const scopeName = ss.scope?.name;
      const instrumentationScope = typeof scopeName === 'string' ? { name: scopeName } : undefined;
      for (const s of ss.spans ?? []) {
        const traceId = hexId(s.traceId);
        const spanId = hexId(s.spanId);
        if (!/^[0-9a-f]{32}$/.test(traceId) || !/^[0-9a-f]{16}$/.test(spanId)) {
          throw new Error(`span ${JSON.stringify(nameOf(s.name))}: traceId must be 32 and spanId 16 hex digits`);
        }
        const parent = hexId(s.parentSpanId);
        const context = { traceId, spanId, traceFlags: 1 };
        spans.push({
          name: nameOf(s.name),
          kind: Math.max(0, (s.kind ?? 1) - 1) as SpanKind,
          spanContext: () => context,
          parentSpanContext: parent ? { traceId, spanId: parent, traceFlags: 1 } : undefined,
          startTime: hrTime(s.startTimeUnixNano, 'startTimeUnixNano'),
          endTime: hrTime(s.endTimeUnixNano, 'endTimeUnixNano'),
          status: { code: s.status?.code ?? 0, message: s.status?.message },
          attributes: toAttributes(s.attributes),
          events: (s.events ?? []).map((e) => ({
            name: nameOf(e.name),
            time: hrTime(e.timeUnixNano, 'events[].timeUnixNano'),
            attributes: toAttributes(e.attributes),
          })),
          resource,
          instrumentationScope,
          ended: true,
        });
      }
    }
  }
  return spans;
}
