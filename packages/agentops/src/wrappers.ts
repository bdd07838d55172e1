/**
 * `recordTool`, `recordAction` and `trackAgent`: wrap a function (or, as TC39 decorators, a class
 * method) so each call becomes a span of the session: arguments as params, the result as returns,
 * a throw as an error event tied to the call and rethrown unchanged. Sync and async alike.
 */
import { randomUUID } from 'node:crypto';
import { derivedEventId, semconv as S, safeJsonStringify } from '@agentops/exporter';
import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AGENT_ID_KEY } from './context-keys.js';
import { ActionEvent, actionShape } from './events/ActionEvent.js';
import type { EventSpanShape } from './events/AgentOpsEvent.js';
import { ErrorEvent } from './events/ErrorEvent.js';
import { ToolEvent, toolCallShape, writeToolCallId } from './events/ToolEvent.js';
import { recordEventSpan } from './record-event.js';
import { currentRuntime, type Runtime, sessionContextForNewWork } from './runtime.js';

// biome-ignore lint/suspicious/noExplicitAny: wrappers accept any function and keep its type.
type AnyFunction = (this: any, ...args: any[]) => any;
type MethodDecorator = <F extends AnyFunction>(value: F, context: ClassMethodDecoratorContext) => F;
type Kind = 'tool' | 'action' | 'agent';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function paramsOf(args: unknown[]): unknown {
  return args.length === 1 ? args[0] : args;
}

/** A wrapped call in progress: its span, the context the function runs in, what it stands for. */
interface Call {
  kind: Kind;
  name: string;
  args: unknown[];
  span: Span;
  /** The call's event id (tools and actions), derived from its span's ids like a recorded event's. */
  id: string | undefined;
  ctx: Context;
  returnsKey: string | undefined;
  agentId: string | undefined;
}

function agentShape(name: string, agentId: string): EventSpanShape {
  const attributes: Attributes = {
    [S.ATTR_EVENT_ID]: agentId,
    [S.ATTR_EVENT_TYPE]: S.EVENT_TYPE_AGENT,
    [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_INVOKE_AGENT,
    [S.ATTR_GEN_AI_AGENT_ID]: agentId,
    [S.ATTR_GEN_AI_AGENT_NAME]: name,
  };
  return { name: `${S.GEN_AI_OPERATION_INVOKE_AGENT} ${name}`, kind: SpanKind.INTERNAL, attributes };
}

/** Starts the span of a call. No event object is built: the call's span is all a success needs. */
function startCall(runtime: Runtime, kind: Kind, name: string, args: unknown[], parent: Context): Call {
  let shape: EventSpanShape;
  let returnsKey: string | undefined;
  let agentId: string | undefined;
  if (kind === 'tool') {
    shape = toolCallShape(name, paramsOf(args), runtime.captureContent);
    returnsKey = S.ATTR_GEN_AI_TOOL_CALL_RESULT;
  } else if (kind === 'action') {
    shape = actionShape(name, paramsOf(args), runtime.captureContent);
    returnsKey = S.ATTR_ACTION_RETURNS;
  } else {
    agentId = randomUUID();
    shape = agentShape(name, agentId);
  }
  const span = runtime.tracer.startSpan(shape.name, { kind: shape.kind, attributes: shape.attributes }, parent);
  let id: string | undefined;
  if (kind !== 'agent') {
    id = derivedEventId(span.spanContext(), 'event');
    if (kind === 'tool') writeToolCallId(span, id);
    else span.setAttribute(S.ATTR_EVENT_ID, id);
  }
  let ctx = trace.setSpan(parent, span);
  if (agentId) ctx = ctx.setValue(AGENT_ID_KEY, agentId);
  return { kind, name, args, span, id, ctx, returnsKey, agentId };
}

/** The event a failed call stands for, with the id its span is sent under: the error's trigger. */
function triggerOf(call: Call): ToolEvent | ActionEvent | undefined {
  const params = paramsOf(call.args);
  if (call.kind === 'tool') return new ToolEvent({ name: call.name, params, id: call.id });
  if (call.kind === 'action') return new ActionEvent({ actionType: call.name, params, id: call.id });
  return undefined;
}

function succeed(runtime: Runtime, call: Call, result: unknown): void {
  if (call.returnsKey && runtime.captureContent) {
    const json = safeJsonStringify(result);
    if (json !== undefined) call.span.setAttribute(call.returnsKey, json);
  }
  call.span.end();
}

function fail(runtime: Runtime, call: Call, error: unknown): void {
  try {
    const errorEvent = new ErrorEvent({ triggerEvent: triggerOf(call), exception: error, agentId: call.agentId });
    recordEventSpan(runtime.tracer, call.ctx, errorEvent, runtime.captureContent);
    call.span.setStatus({ code: SpanStatusCode.ERROR, message: errorEvent.details ?? errorEvent.errorType });
  } finally {
    call.span.end();
  }
}

function traced<F extends AnyFunction>(kind: Kind, name: string, fn: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const runtime = currentRuntime();
    const parent = runtime ? sessionContextForNewWork() : undefined;
    if (!runtime || !parent) return fn.apply(this, args);

    let call: Call;
    try {
      call = startCall(runtime, kind, name, args, parent);
    } catch (err) {
      runtime.logger.debug(`${kind} ${name}: not traced: ${String(err)}`);
      return fn.apply(this, args);
    }

    let result: unknown;
    try {
      result = context.with(call.ctx, fn, this as ThisParameterType<F>, ...args);
    } catch (error) {
      fail(runtime, call, error);
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          succeed(runtime, call, value);
          return value;
        },
        (error: unknown) => {
          fail(runtime, call, error);
          throw error;
        },
      );
    }
    succeed(runtime, call, result);
    return result;
  };
  // Keep the wrapped function's own name, arity and properties.
  Object.defineProperties(wrapped, {
    name: { value: fn.name, configurable: true },
    length: { value: fn.length, configurable: true },
  });
  for (const key of Object.keys(fn)) {
    (wrapped as unknown as Record<string, unknown>)[key] = (fn as unknown as Record<string, unknown>)[key];
  }
  return wrapped as unknown as F;
}

function wrapperOrDecorator(kind: Kind) {
  function wrap<F extends AnyFunction>(name: string, fn: F): F;
  function wrap(name?: string): MethodDecorator;
  function wrap<F extends AnyFunction>(name?: string, fn?: F): F | MethodDecorator {
    if (typeof fn === 'function') return traced(kind, typeof name === 'string' && name ? name : fn.name || kind, fn);
    return (<M extends AnyFunction>(value: M, decorator: ClassMethodDecoratorContext): M =>
      traced(kind, typeof name === 'string' && name ? name : String(decorator.name), value)) as MethodDecorator;
  }
  return wrap;
}

/** Each call of `fn` is a tool event (`execute_tool {name}`). Also a method decorator: `@recordTool('search')`. */
export const recordTool = wrapperOrDecorator('tool');
/** Each call of `fn` is an action event. Also a method decorator: `@recordAction('plan')`. */
export const recordAction = wrapperOrDecorator('action');
/** Each call of `fn` is an agent invocation (`invoke_agent {name}`); events inside it carry its agent id. */
export const trackAgent = wrapperOrDecorator('agent');
