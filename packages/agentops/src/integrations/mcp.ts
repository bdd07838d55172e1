/**
 * The Model Context Protocol (`@modelcontextprotocol/sdk` 1.x), both sides, with no code beyond
 * `init()` in each process. A client's request is a span per the OpenTelemetry MCP conventions
 * (`{mcp.method.name} {target}`, kind CLIENT): a tool call is a tool event (its arguments and
 * result under the content switch), a listing, a resource read or a prompt an action. The client
 * carries the span's W3C trace context and the session's baggage in the request's `params._meta`
 * (`traceparent`, `tracestate`, `baggage`, as MCP's `_meta` convention for trace context has them).
 * A server whose request carries AgentOps' baggage joins that session for the request's handling:
 * its span (kind SERVER) and everything recorded inside the handler (its LLM calls, `record()`,
 * wrappers) land in the caller's session, under the caller's tool call, as a second process of it.
 * A request without AgentOps' baggage is handled in the server's own session, as any other work.
 */
import { semconv as S } from '@agentops/exporter';
import { errorText, safeJsonStringify } from '@agentops/exporter/internal';
import { type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
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
  servedFor,
  settle,
  tracerOf,
  withW3CFields,
} from './boundary.js';

export const MCP_SDK = '@modelcontextprotocol/sdk';

/** Where each patched prototype keeps what it replaced. */
const ORIGINAL = Symbol.for('agentops.mcp.original');
const TRACER = 'agentops-mcp';

interface JsonRpcRequest {
  method?: unknown;
  params?: Record<string, unknown> & { _meta?: Record<string, unknown> };
}

/** The span name's target and the attributes of a request, per the MCP conventions. */
function describeRequest(request: JsonRpcRequest): {
  method: string;
  target: string | undefined;
  attributes: Record<string, string>;
} {
  const method = typeof request.method === 'string' ? request.method : 'unknown';
  const params = request.params ?? {};
  const attributes: Record<string, string> = { [S.ATTR_MCP_METHOD_NAME]: method };
  let target: string | undefined;
  if ((method === 'tools/call' || method === 'prompts/get') && typeof params.name === 'string') {
    target = params.name;
    attributes[method === 'tools/call' ? S.ATTR_GEN_AI_TOOL_NAME : S.ATTR_GEN_AI_PROMPT_NAME] = params.name;
  } else if (method.startsWith('resources/') && typeof params.uri === 'string') {
    target = params.uri;
    attributes[S.ATTR_MCP_RESOURCE_URI] = params.uri;
  }
  return { method, target, attributes };
}

/** Requests recorded as actions of the session: what an agent asks a server for besides tools. */
const ACTIONS = new Set([
  'tools/list',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'completion/complete',
]);

/** The request with the span's context (and the session's baggage) in `params._meta`, the app's object untouched. */
function withTraceContext(request: JsonRpcRequest, ctx: Context): JsonRpcRequest {
  const params = request.params ?? {};
  const meta = withW3CFields(params._meta, ctx);
  return meta ? { ...request, params: { ...params, _meta: meta } } : request;
}

/** A client's `request`: a span, and the trace context carried to the server. */
function patchClient(Client: PatchedClass, host: ProtocolHost): void {
  const tracer = tracerOf(host, TRACER);
  replaceMethods(Client, ORIGINAL, 'MCP Client', {
    request: (original) =>
      function (this: unknown, request: unknown, ...rest: unknown[]) {
        const r = request as JsonRpcRequest | undefined;
        if (!r || typeof r !== 'object' || r.method === 'ping' || r.method === 'initialize') {
          return original.call(this, request, ...rest);
        }
        let span: Span;
        let sent: JsonRpcRequest;
        let callContext: Context;
        try {
          const { method, target, attributes } = describeRequest(r);
          const name = target ? `${method} ${target}` : method;
          // In the session new work joins, whose id travels in the baggage.
          const parent = callerContext(host);
          span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
          callContext = trace.setSpan(parent, span);
          const sessionId = (this as { transport?: { sessionId?: unknown } }).transport?.sessionId;
          if (typeof sessionId === 'string') span.setAttribute(S.ATTR_MCP_SESSION_ID, sessionId);
          // The server, as it introduced itself (`serverInfo`, read through the client's own API).
          recordPeer(span, 'mcp', (this as { getServerVersion?: () => unknown }).getServerVersion?.());
          if (method === 'tools/call') {
            span.setAttribute(S.ATTR_GEN_AI_OPERATION_NAME, S.GEN_AI_OPERATION_EXECUTE_TOOL);
            const args = host.captureContent ? safeJsonStringify(r.params?.arguments ?? {}) : undefined;
            if (args !== undefined) span.setAttribute(S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, args);
          } else if (ACTIONS.has(method)) {
            span.setAttribute(S.ATTR_ACTION_TYPE, name);
            const params = host.captureContent ? safeJsonStringify(withoutMeta(r.params)) : undefined;
            if (params !== undefined && params !== '{}') span.setAttribute(S.ATTR_ACTION_PARAMS, params);
          }
          sent = withTraceContext(r, callContext);
        } catch (err) {
          host.logger.debug(`MCP request not traced: ${errorText(err)}`);
          return original.call(this, request, ...rest);
        }
        return settle(
          span,
          () => context.with(callContext, () => original.call(this, sent, ...rest)),
          (value) => recordAnswer(span, r, value, host.captureContent),
        );
      },
  });
}

/** What a server answered a client's request, on the request's span: a tool's result, an action's returns. */
function recordAnswer(span: Span, request: JsonRpcRequest, value: unknown, captureContent: boolean): void {
  const method = typeof request.method === 'string' ? request.method : '';
  const key =
    method === 'tools/call' ? S.ATTR_GEN_AI_TOOL_CALL_RESULT : ACTIONS.has(method) ? S.ATTR_ACTION_RETURNS : undefined;
  const json = key && captureContent ? safeJsonStringify(value) : undefined;
  if (key && json !== undefined) span.setAttribute(key, json);
  // A tool that failed answers with isError: the call failed, as a thrown error would say.
  if (method === 'tools/call' && (value as { isError?: unknown } | null)?.isError === true)
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool returned an error' });
}

function withoutMeta(params: JsonRpcRequest['params']): unknown {
  if (!params) return {};
  const { _meta: _, ...rest } = params;
  return rest;
}

/** A server's request handlers: each request handled in a span, in the caller's session when it carries one. */
function patchServer(Server: PatchedClass, host: ProtocolHost): void {
  const tracer = tracerOf(host, TRACER);
  replaceMethods(Server, ORIGINAL, 'MCP Server', {
    setRequestHandler: (original) =>
      function (this: unknown, schema: unknown, handler: unknown, ...rest: unknown[]) {
        if (typeof handler !== 'function') return original.call(this, schema, handler, ...rest);
        const traced = function (this: unknown, request: unknown, extra: unknown) {
          const call = () => (handler as Method).call(this, request, extra);
          const r = request as JsonRpcRequest | undefined;
          if (!r || typeof r !== 'object' || r.method === 'ping' || r.method === 'initialize') return call();
          // The caller's span: this request's handling nests under the caller's call, in the session joined.
          const { joined, caller } = joinCarried(host, r.params?._meta, 'MCP request');
          const handle = () => {
            let span: Span;
            let parent: Context;
            try {
              parent = handlingContext(host, caller);
              span = serverSpan(tracer, r, extra, parent, joined !== undefined, host.captureContent);
            } catch (err) {
              host.logger.debug(`MCP request handled untraced: ${errorText(err)}`);
              return call();
            }
            return settle(span, () => context.with(trace.setSpan(parent, span), call));
          };
          return inJoinedSession(joined, handle);
        };
        return original.call(this, schema, traced, ...rest);
      },
  });
}

/** The span of a request a server handles: its handling in the caller's session, else the call itself. */
function serverSpan(
  tracer: Tracer,
  request: JsonRpcRequest,
  extra: unknown,
  parent: Context,
  joined: boolean,
  captureContent: boolean,
): Span {
  const { method, target, attributes } = describeRequest(request);
  const name = target ? `${method} ${target}` : method;
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  const sessionId = (extra as { sessionId?: unknown } | undefined)?.sessionId;
  if (typeof sessionId === 'string') span.setAttribute(S.ATTR_MCP_SESSION_ID, sessionId);
  // In the caller's session the caller's span is the tool call: this one is its handling here.
  // In the server's own session, a tool call handled is the tool call.
  if (method === 'tools/call' && !joined) {
    span.setAttribute(S.ATTR_GEN_AI_OPERATION_NAME, S.GEN_AI_OPERATION_EXECUTE_TOOL);
    const args = captureContent ? safeJsonStringify(request.params?.arguments ?? {}) : undefined;
    if (args !== undefined) span.setAttribute(S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, args);
  } else {
    span.setAttribute(S.ATTR_ACTION_TYPE, servedFor('MCP', name));
  }
  return span;
}

/** The patch of the MCP SDK's client and server modules (`@modelcontextprotocol/sdk/client`, `/server`). */
export function createMcpInstrumentation(host: ProtocolHost): ClassPatcher {
  return classPatcher(ORIGINAL, 'MCP Client or Server', {
    Client: (Client) => patchClient(Client, host),
    Server: (Server) => patchServer(Server, host),
  });
}
