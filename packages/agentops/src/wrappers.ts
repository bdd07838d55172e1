/**
 * `recordTool`, `recordAction`, `recordWorkflow`, `recordTask` and `trackAgent`: wrap a function (or, as TC39 decorators, a class
 * method) so each call becomes a span of the session: arguments as params, the result as returns,
 * a throw as an error event tied to the call and rethrown unchanged. Sync and async alike.
 */
import { derivedEventId, semconv as S } from '@agentops/exporter';
import { errorText, safeJsonStringify } from '@agentops/exporter/internal';
import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AGENT_ID_KEY } from './context-keys.js';
import { ActionEvent, actionShape } from './events/ActionEvent.js';
import type { EventSpanShape } from './events/AgentOpsEvent.js';
import { ErrorEvent } from './events/ErrorEvent.js';
import { ToolEvent, toolCallShape } from './events/ToolEvent.js';
import { recordEventSpan } from './record-event.js';
import { replayIn } from './replay/http.js';
import { currentRuntime, type Runtime, sessionOfNewWork } from './runtime/runtime.js';

/** Any function a wrapper takes: its type is kept. */
// biome-ignore lint/suspicious/noExplicitAny: wrappers accept any function and keep its type.
export type AnyFunction = (this: any, ...args: any[]) => any;
/** What a wrapper is when used as a TC39 method decorator (`@recordTool('search')`). */
export type RecordMethodDecorator = <F extends AnyFunction>(value: F, context: ClassMethodDecoratorContext) => F;
type Kind = 'tool' | 'action' | 'workflow' | 'task' | 'agent';

/**
 * A native promise: its settlement is observed and passed on. Any other value, thenables of other
 * libraries included (a query builder that runs when its \`then\` is called), is returned as it is,
 * untouched: reading \`then\` of a hostile object could throw, and calling it could do work.
 */
function isNativePromise(value: unknown): value is Promise<unknown> {
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

function paramsOf(args: unknown[]): unknown {
  return args.length === 1 ? args[0] : args;
}

/**
 * What every call of one wrapped function starts its span with, worked out once when the function
 * is wrapped. The attributes are shared by all calls: OpenTelemetry copies them into each span.
 */
interface CallPlan {
  kind: Kind;
  /** False when the wrapper was made with `{ captureContent: false }`. */
  content: boolean;
  name: string;
  spanName: string;
  spanKind: SpanKind;
  attributes: Readonly<Attributes>;
  /**
   * The attributes with the session of the last call stamped on them (its id, also as
   * `gen_ai.conversation.id`), as the processor would: made once per session, not per call.
   */
  stamped: Readonly<Attributes> | undefined;
  /** Where the arguments go (tools and actions), and the result. */
  paramsKey: string | undefined;
  returnsKey: string | undefined;
}

/** What a wrapper takes besides its name and function. */
export interface WrapperOptions {
  /** `false`: this function's calls are recorded without their arguments and results. */
  captureContent?: boolean;
}

function planOf(kind: Kind, name: string, options: WrapperOptions | undefined): CallPlan {
  return { ...callPlanOf(kind, name), stamped: undefined, content: options?.captureContent !== false };
}

/** The plan's attributes stamped with the session the call belongs to. */
function stampedAttributes(plan: CallPlan, sessionId: string): Readonly<Attributes> {
  const last = plan.stamped;
  if (last !== undefined && last[S.ATTR_SESSION_ID] === sessionId) return last;
  const attributes: Attributes = { ...plan.attributes };
  attributes[S.ATTR_SESSION_ID] = sessionId;
  attributes[S.ATTR_GEN_AI_CONVERSATION_ID] = sessionId;
  plan.stamped = Object.freeze(attributes);
  return plan.stamped;
}

function callPlanOf(kind: Kind, name: string): Omit<CallPlan, 'content' | 'stamped'> {
  // The shapes without content: arguments are added per call, when content is captured.
  if (kind === 'tool') {
    const shape = toolCallShape(name, undefined, false);
    return {
      kind,
      name,
      ...spanOf(shape),
      paramsKey: S.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
      returnsKey: S.ATTR_GEN_AI_TOOL_CALL_RESULT,
    };
  }
  if (kind === 'action' || kind === 'workflow' || kind === 'task') {
    const shape = actionShape(name, undefined, false);
    if (kind === 'workflow') {
      // A workflow is GenAI's invoke_workflow; a task has no GenAI operation, only its kind.
      shape.name = `${S.GEN_AI_OPERATION_INVOKE_WORKFLOW} ${name}`;
      shape.attributes[S.ATTR_GEN_AI_OPERATION_NAME] = S.GEN_AI_OPERATION_INVOKE_WORKFLOW;
    }
    if (kind !== 'action') shape.attributes[S.ATTR_SPAN_KIND] = kind;
    return { kind, name, ...spanOf(shape), paramsKey: S.ATTR_ACTION_PARAMS, returnsKey: S.ATTR_ACTION_RETURNS };
  }
  const shape = agentShape(name);
  return { kind, name, ...spanOf(shape), paramsKey: undefined, returnsKey: undefined };
}

function spanOf(shape: EventSpanShape): Pick<CallPlan, 'spanName' | 'spanKind' | 'attributes'> {
  return { spanName: shape.name, spanKind: shape.kind, attributes: Object.freeze(shape.attributes) };
}

/** A wrapped call in progress: its span, the context the function runs in, what it stands for. */
interface Call {
  plan: CallPlan;
  args: unknown[];
  span: Span;
  ctx: Context;
  agentId: string | undefined;
  /** Whether this call's arguments, result and error details are recorded (the SDK's and the wrapper's switch). */
  content: boolean;
}

/** An agent invocation's span, less its id (a new one per call). */
function agentShape(name: string): EventSpanShape {
  const attributes: Attributes = {
    [S.ATTR_EVENT_TYPE]: S.EVENT_TYPE_AGENT,
    [S.ATTR_GEN_AI_OPERATION_NAME]: S.GEN_AI_OPERATION_INVOKE_AGENT,
    [S.ATTR_GEN_AI_AGENT_NAME]: name,
  };
  return { name: `${S.GEN_AI_OPERATION_INVOKE_AGENT} ${name}`, kind: SpanKind.INTERNAL, attributes };
}

/**
 * Starts the span of a call, stamped with its session already (the processor's stamping then finds
 * nothing to look up). No event object is built: the call's span is all a success needs.
 */
function startCall(runtime: Runtime, plan: CallPlan, args: unknown[], parent: Context, sessionId: string): Call {
  const attributes = stampedAttributes(plan, sessionId);
  const span = runtime.tracer.startSpan(plan.spanName, { kind: plan.spanKind, attributes }, parent);
  let ctx = trace.setSpan(parent, span);
  // Event ids are derived from the span's ids where the span is read, not written on it; an
  // agent's id is written, as its work's spans name it.
  let agentId: string | undefined;
  if (plan.kind === 'agent') {
    agentId = derivedEventId(span.spanContext(), 'agent');
    span.setAttribute(S.ATTR_GEN_AI_AGENT_ID, agentId);
    ctx = ctx.setValue(AGENT_ID_KEY, agentId);
  }
  const content = runtime.captureContent && plan.content;
  if (plan.paramsKey && content) {
    const json = safeJsonStringify(paramsOf(args));
    if (json !== undefined) span.setAttribute(plan.paramsKey, json);
  }
  return { plan, args, span, ctx, agentId, content };
}

/** The event a failed call stands for, with the id its span is sent under: the error's trigger. */
function triggerOf(call: Call): ToolEvent | ActionEvent | undefined {
  const params = paramsOf(call.args);
  const { kind, name } = call.plan;
  if (kind === 'agent') return undefined;
  const id = derivedEventId(call.span.spanContext(), 'event');
  if (kind === 'tool') return new ToolEvent({ name, params, id });
  return new ActionEvent({ actionType: name, params, id });
}

/** Records a success. Never throws: the app gets its result whatever recording does. */
function succeed(runtime: Runtime, call: Call, result: unknown): void {
  try {
    const returnsKey = call.plan.returnsKey;
    if (returnsKey && call.content) {
      const json = safeJsonStringify(result);
      if (json !== undefined) call.span.setAttribute(returnsKey, json);
    }
  } catch (err) {
    runtime.logger.debug(`${call.plan.spanName}: result not recorded: ${errorText(err)}`);
  } finally {
    call.span.end();
  }
}

/** Records a failure. Never throws: the app gets its own error back whatever recording does. */
function fail(runtime: Runtime, call: Call, error: unknown): void {
  try {
    const errorEvent = new ErrorEvent({ triggerEvent: triggerOf(call), exception: error, agentId: call.agentId });
    recordEventSpan(runtime.tracer, call.ctx, errorEvent, call.content);
    call.span.setStatus({ code: SpanStatusCode.ERROR, message: errorEvent.details ?? errorEvent.errorType });
  } catch (err) {
    runtime.logger.debug(`${call.plan.spanName}: error not recorded: ${errorText(err)}`);
  } finally {
    call.span.end();
  }
}

const isAsyncFunction = (fn: AnyFunction): boolean => {
  const kind = fn.constructor?.name;
  return kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction';
};

/**
 * What a tool's call gives inside a replay (`agentops.replay()`): a function returning its recorded
 * result or throwing its recorded error (as a promise for an async tool); undefined to call the tool.
 */
function replayedTool(ctx: Context, name: string, fn: AnyFunction, args: unknown[]): AnyFunction | undefined {
  const replay = replayIn(ctx);
  if (!replay) return undefined;
  const answer = replay.tool(name, paramsOf(args));
  if (answer === 'live') return undefined;
  const async = isAsyncFunction(fn);
  if ('error' in answer) {
    const { error } = answer;
    return async
      ? () => Promise.reject(error)
      : () => {
          throw error;
        };
  }
  return async ? () => Promise.resolve(answer.value) : () => answer.value;
}

function traced<F extends AnyFunction>(kind: Kind, name: string, fn: F, options?: WrapperOptions): F {
  const plan = planOf(kind, name, options);
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const runtime = currentRuntime();
    const work = runtime ? sessionOfNewWork() : undefined;
    if (!runtime || !work) return fn.apply(this, args);

    let call: Call;
    try {
      call = startCall(runtime, plan, args, work.context, work.sessionId);
    } catch (err) {
      runtime.logger.debug(`${kind} ${name}: not traced: ${errorText(err)}`);
      return fn.apply(this, args);
    }

    let result: unknown;
    try {
      // Inside a replay, a tool's recorded outcome instead of the tool.
      const target = plan.kind === 'tool' ? (replayedTool(call.ctx, plan.name, fn, args) ?? fn) : fn;
      // Through Reflect.apply: the arguments are not spread again, nor `fn` bound to `this`.
      result = context.with(call.ctx, Reflect.apply, undefined, target, this, args);
    } catch (error) {
      fail(runtime, call, error);
      throw error;
    }
    if (isNativePromise(result)) {
      return result.then(
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
  try {
    for (const key of Object.keys(fn)) {
      (wrapped as unknown as Record<string, unknown>)[key] = (fn as unknown as Record<string, unknown>)[key];
    }
  } catch {
    // A function whose properties cannot be read is still wrapped.
  }
  return wrapped as unknown as F;
}

function wrapperOrDecorator(kind: Kind) {
  function wrap<F extends AnyFunction>(name: string, fn: F, options?: WrapperOptions): F;
  function wrap(name?: string, options?: WrapperOptions): RecordMethodDecorator;
  function wrap<F extends AnyFunction>(
    name?: string,
    fnOrOptions?: F | WrapperOptions,
    options?: WrapperOptions,
  ): F | RecordMethodDecorator {
    const named = typeof name === 'string' && name ? name : undefined;
    if (typeof fnOrOptions === 'function')
      return traced(kind, named ?? (fnOrOptions.name || kind), fnOrOptions, options);
    const decoratorOptions = typeof fnOrOptions === 'object' && fnOrOptions !== null ? fnOrOptions : undefined;
    return (<M extends AnyFunction>(value: M, decorator: ClassMethodDecoratorContext): M =>
      traced(kind, named ?? String(decorator.name), value, decoratorOptions)) as RecordMethodDecorator;
  }
  return wrap;
}

/** Each call of `fn` is a tool event (`execute_tool {name}`). Also a method decorator: `@recordTool('search')`. */
export const recordTool = wrapperOrDecorator('tool');
/** Each call of `fn` is an action event. Also a method decorator: `@recordAction('plan')`. */
export const recordAction = wrapperOrDecorator('action');
/**
 * Each call of `fn` is a workflow (`invoke_workflow {name}`): an action of kind workflow, with the
 * work inside it nested under it. Also a method decorator: `@recordWorkflow('checkout')`.
 */
export const recordWorkflow = wrapperOrDecorator('workflow');
/** Each call of `fn` is a task (an action of kind task), as OpenLLMetry and AgentOps 0.4 have them. Also a decorator. */
export const recordTask = wrapperOrDecorator('task');
/** Each call of `fn` is an agent invocation (`invoke_agent {name}`); events inside it carry its agent id. */
export const trackAgent = wrapperOrDecorator('agent');
