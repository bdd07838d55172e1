/**
 * OTLP/HTTP protobuf: the subset of the OpenTelemetry proto schema (opentelemetry/proto/collector/
 * trace/v1, trace/v1, common/v1, resource/v1) needed to decode trace export requests and encode
 * their responses. Field numbers are the spec's.
 */
import protobuf from 'protobufjs';
import type { OtlpTraceRequest } from './otlp-spans.js';

const SCHEMA = `
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message Status { string message = 2; int32 code = 3; }
message Span {
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
`;

const root = protobuf.parse(SCHEMA).root;
const Request = root.lookupType('ExportTraceServiceRequest');
const Response = root.lookupType('ExportTraceServiceResponse');

/** Decodes a protobuf ExportTraceServiceRequest into the JSON-encoding shape. Throws on bad bytes. */
export function decodeTraceRequest(bytes: Uint8Array): OtlpTraceRequest {
  const message = Request.decode(bytes);
  return Request.toObject(message, { longs: String, bytes: Buffer, defaults: false }) as OtlpTraceRequest;
}

export function encodeTraceResponse(partial: { rejectedSpans?: number; errorMessage?: string }): Uint8Array {
  const body = partial.rejectedSpans ? { partialSuccess: partial } : {};
  return Response.encode(Response.create(body)).finish();
}
