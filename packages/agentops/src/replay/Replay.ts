/**
 * `agentops.replay()`: runs an agent again against what one of its sessions recorded. Inside
 * `replay.run()`, each LLM call is answered with the recorded response (through Node's `fetch`,
 * see http.ts) and each `recordTool` function with its recorded result or error, without the
 * network or the tool; matched in order and by a stable key of the request. A request that is not
 * the recorded one is a divergence, reported with a diff, and then thrown, run live, or the end of
 * the replay (`onDivergence`). With `from`, the first calls are replayed and the rest run live: a
 * fork of the session. The run is recorded as a new session linked to the one replayed.
 */

import type { ErrorEventPayload, ReplayExchange, SessionExport } from '@agentops/exporter';
import { errorText, safeJsonStringify } from '@agentops/exporter/internal';
import { context } from '@opentelemetry/api';
import type { Session, StartSessionOptions } from '../session/Session.js';
import { REPLAY_KEY, type ReplayCalls, type ToolAnswer } from './http.js';
import {
  type Difference,
  diffText,
  type RequestShape,
  requestDifferences,
  requestKey,
  toolKey,
  differences as valueDifferences,
} from './request-key.js';

/** What a replay does at a call that is not the recorded one. */
export type DivergenceAction = 'throw' | 'live' | 'stop';

export interface ReplayOptions {
  /**
   * At a call that differs from the recording: `throw` (the default) fails the call and `run()`
   * with a `ReplayDivergenceError`; `live` runs that call for real and goes on replaying; `stop`
   * runs it and every later call for real.
   */
  onDivergence?: DivergenceAction;
  /**
   * Fork: replay the calls before this step (counted from 0, LLM and tool calls in the order they
   * started), or before this event, and run the rest for real.
   */
  from?: { step: number } | { eventId: string };
  /** Tags of the new session (besides `replay` or `fork`). */
  tags?: string[];
  /** The new session's name (default: the recorded one's). */
  name?: string;
}

/** One recorded call: an LLM call (its HTTP exchange) or a tool call (its arguments and outcome). */
export interface ReplayStep {
  /** Its place among the recorded calls, from 0. */
  step: number;
  kind: 'llm' | 'tool';
  /** The recorded event's id. */
  eventId: string;
  /** The tool's name, or the LLM call's model. */
  name: string;
}

/** A call that was not the recorded one. */
export interface ReplayDivergence {
  /** The recorded step it was compared with (-1: none was left). */
  step: number;
  /** An LLM call's request or a tool's call. */
  kind: 'llm' | 'tool';
  /** What was done: the call failed (`throw`), ran live (`live`), or the replay stopped (`stop`). */
  action: DivergenceAction;
  /** Where the call differs from the recorded one (at most 20 places). */
  differences: Difference[];
  /** The differences as a diff: `- path: recorded`, `+ path: now`. */
  diff: string;
}

/** A replayed call that differed from the recording, with `onDivergence: 'throw'`. */
export class ReplayDivergenceError extends Error {
  /** The call that diverged, with its diff. */
  readonly divergence: ReplayDivergence;
  constructor(divergence: ReplayDivergence) {
    const where = divergence.step < 0 ? 'after the last recorded call' : `at step ${divergence.step}`;
    super(`replay diverged ${where} (${divergence.kind} call):\n${divergence.diff}`);
    this.name = 'ReplayDivergenceError';
    this.divergence = divergence;
  }
}

/** A session that cannot be replayed, or a source that holds no session. */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

interface LlmStep extends ReplayStep {
  kind: 'llm';
  exchange: ReplayExchange | undefined;
  key: string | undefined;
}

interface ToolStep extends ReplayStep {
  kind: 'tool';
  params: unknown;
  key: string;
  outcome: { value: unknown } | { error: { type: string; message: string } };
}

type Step = LlmStep | ToolStep;

/** The recorded calls of an export, in the order they started. */
function stepsOf(recorded: SessionExport): Step[] {
  const errorsByTrigger = new Map<string, ErrorEventPayload>();
  for (const e of recorded.errors ?? []) if (e.trigger_event_id) errorsByTrigger.set(e.trigger_event_id, e);
  const calls: { at: string; end: string; step: Omit<LlmStep, 'step'> | Omit<ToolStep, 'step'> }[] = [];
  for (const llm of recorded.llms ?? []) {
    // What the mask replaced whole (a hash, a redaction) is no exchange.
    const exchange = isExchange(llm.replay) ? llm.replay : undefined;
    calls.push({
      at: llm.init_timestamp,
      end: llm.end_timestamp,
      step: {
        kind: 'llm',
        eventId: llm.id,
        name: llm.model ?? 'llm',
        exchange,
        key: exchange ? requestKey(exchange.request) : undefined,
      },
    });
  }
  for (const tool of recorded.tools ?? []) {
    const failed = errorsByTrigger.get(tool.id);
    calls.push({
      at: tool.init_timestamp,
      end: tool.end_timestamp,
      step: {
        kind: 'tool',
        eventId: tool.id,
        name: tool.name,
        params: tool.params,
        key: toolKey(tool.name, tool.params),
        outcome: failed
          ? { error: { type: failed.error_type ?? 'Error', message: String(failed.details ?? '') } }
          : { value: tool.returns ?? undefined },
      },
    });
  }
  // By start (ISO times of any precision: some instrumentations start spans to the millisecond);
  // of two that started in the same instant, the one that ended first ran first.
  const times = new Map(calls.map((c) => [c, [...instant(c.at), ...instant(c.end)]]));
  calls.sort((a, b) => {
    const [x, y] = [times.get(a) as number[], times.get(b) as number[]];
    return x.reduce((d, v, i) => d || v - (y[i] as number), 0);
  });
  return calls.map((c, step) => ({ ...c.step, step }) as Step);
}

/** An ISO time as milliseconds and the nanoseconds past them (its fraction may have 3 to 9 digits). */
function instant(iso: string): [number, number] {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return [Date.parse(iso), Number(fraction.slice(3, 9).padEnd(6, '0'))];
}

function isExchange(value: unknown): value is ReplayExchange {
  const e = value as Partial<ReplayExchange> | null | undefined;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.request?.url === 'string' &&
    typeof e.response?.status === 'number' &&
    Array.isArray(e.response.chunks)
  );
}

/** Why a recording cannot be replayed whole: each call that was not recorded in full. */
function gapsOf(steps: readonly Step[]): string[] {
  const gaps: string[] = [];
  for (const s of steps) {
    if (s.kind === 'llm' && !s.exchange) gaps.push(`step ${s.step}: LLM call ${s.eventId} has no recorded exchange`);
    else if (s.kind === 'llm' && s.exchange?.masked)
      gaps.push(`step ${s.step}: the mask changed LLM call ${s.eventId}'s recorded exchange`);
    if (s.kind === 'tool' && s.params === undefined)
      gaps.push(`step ${s.step}: tool ${s.name} was recorded without its arguments`);
  }
  return gaps;
}

/** What `run` may throw: the error a diverging call was failed with, if the app swallowed or wrapped it. */
function firstThrown(divergences: readonly ReplayDivergence[]): ReplayDivergence | undefined {
  return divergences.find((d) => d.action === 'throw');
}

/** A replay of one recorded session: run the agent inside `run()`, then `end()` it. */
export class Replay {
  /** The session replayed. */
  readonly origin: string;
  /** The new session this run is recorded as. */
  readonly session: Session;
  /** The recorded calls, in order. */
  readonly steps: readonly ReplayStep[];
  /**
   * Whether every recorded call can be answered as it was: each LLM call's exchange recorded and not
   * changed by the mask, each tool's arguments recorded (content capture on).
   */
  readonly replayable: boolean;
  /** Why not, call by call. */
  readonly gaps: readonly string[];
  /** The calls that differed from the recording. */
  readonly divergences: ReplayDivergence[] = [];
  /** How many calls were answered from the recording. */
  replayed = 0;
  /** How many calls ran for real (past a fork's step, or diverged with `live` or `stop`). */
  live = 0;

  readonly #steps: Step[];
  readonly #used = new Set<number>();
  readonly #onDivergence: DivergenceAction;
  /** The first step that runs live (a fork's point); Infinity to replay every step. */
  readonly #liveFrom: number;
  #stopped = false;
  /** After a thrown divergence, every later call fails with it: the run is not the recorded one any more. */
  #failed: ReplayDivergenceError | undefined;
  /** The last call answered with a recorded failure: its attempts again get the same answer. */
  #lastFailure: { call: object; key: string; exchange: ReplayExchange } | undefined;

  /** @internal Made by `agentops.replay()`, from its plan, in the session the plan says. */
  constructor(plan: ReplayPlan, session: Session) {
    this.origin = plan.origin;
    this.session = session;
    this.#steps = plan.steps;
    this.steps = this.#steps.map(({ step, kind, eventId, name }) => ({ step, kind, eventId, name }));
    this.gaps = gapsOf(this.#steps);
    this.replayable = this.gaps.length === 0;
    this.#onDivergence = plan.onDivergence;
    this.#liveFrom = plan.liveFrom;
  }

  /** Runs `fn` in the new session with the replay active; rejects with the divergence when one was thrown. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const ctx = this.session.context().setValue(REPLAY_KEY, this.#calls);
    let result: T;
    try {
      result = await context.with(ctx, fn);
    } catch (err) {
      const thrown = firstThrown(this.divergences);
      throw thrown ? new ReplayDivergenceError(thrown) : err;
    }
    const thrown = firstThrown(this.divergences);
    if (thrown) throw new ReplayDivergenceError(thrown);
    return result;
  }

  /** Ends the new session (Success unless given). */
  end(endState: Parameters<Session['endSession']>[0] = 'Success', reason?: string): Promise<string> {
    return this.session.endSession(endState, reason);
  }

  /** What the interception (http.ts) and the tool wrappers ask, found in the context of `run()`. */
  readonly #calls: ReplayCalls = {
    llm: (request, call) => this.#llm(request, call),
    tool: (name, args) => this.#tool(name, args),
  };

  /**
   * The answer to an LLM call's request. A client retrying a recorded failure (a 503, a 429: the
   * recording holds the last attempt's) sends the same request again in the same call: it gets the
   * same failure again, and gives up as it did when recorded, without using up the next call.
   */
  #llm(request: RequestShape, call: object): ReplayExchange | 'live' | Error {
    if (this.#failed) return this.#failed;
    const key = requestKey(request);
    const last = this.#lastFailure;
    if (last !== undefined && last.call === call && last.key === key) return last.exchange;
    const next = this.#next('llm');
    if (next === 'live') return this.#goLive();
    const same = next?.key === key ? next : this.#unused('llm', (s) => s.key === key);
    if (same?.exchange) {
      this.#use(same);
      this.replayed++;
      this.#lastFailure = same.exchange.response.status >= 400 ? { call, key, exchange: same.exchange } : undefined;
      return same.exchange;
    }
    const recorded = next?.exchange?.request;
    const differences: Difference[] = recorded
      ? requestDifferences(recorded, request)
      : [{ path: 'request', recorded: next ? 'a call not recorded for replay' : undefined, now: request.url }];
    return this.#diverged('llm', next, differences);
  }

  /** The answer to a wrapped tool's call. */
  #tool(name: string, args: unknown): ToolAnswer | 'live' {
    if (this.#failed) return { error: this.#failed };
    const json = safeJsonStringify(args);
    const params = json === undefined ? undefined : JSON.parse(json);
    const key = toolKey(name, params);
    const next = this.#next('tool');
    if (next === 'live') return this.#goLive();
    const same = next?.key === key ? next : this.#unused('tool', (s) => s.key === key);
    if (same) {
      this.#use(same);
      this.replayed++;
      if ('value' in same.outcome) return { value: same.outcome.value };
      const error = new Error(same.outcome.error.message);
      error.name = same.outcome.error.type;
      return { error };
    }
    const differences = next
      ? valueDifferences({ name: next.name, arguments: next.params }, { name, arguments: params })
      : [{ path: 'tool', recorded: undefined, now: name }];
    const answer = this.#diverged('tool', next, differences);
    return answer instanceof Error ? { error: answer } : answer;
  }

  /** The next unused step of `kind`: `live` past the fork point or after a stop; undefined when none is left. */
  #next<K extends Step['kind']>(kind: K): Extract<Step, { kind: K }> | 'live' | undefined {
    if (this.#stopped) return 'live';
    const next = this.#steps.find((s): s is Extract<Step, { kind: K }> => s.kind === kind && !this.#used.has(s.step));
    if (next && next.step >= this.#liveFrom) {
      this.#stopped = true;
      return 'live';
    }
    return next;
  }

  #unused<K extends Step['kind']>(
    kind: K,
    test: (s: Extract<Step, { kind: K }>) => boolean,
  ): Extract<Step, { kind: K }> | undefined {
    return this.#steps.find(
      (s): s is Extract<Step, { kind: K }> =>
        s.kind === kind && !this.#used.has(s.step) && s.step < this.#liveFrom && test(s as Extract<Step, { kind: K }>),
    );
  }

  #use(step: Step): void {
    this.#used.add(step.step);
  }

  #goLive(): 'live' {
    this.live++;
    return 'live';
  }

  /** Reports a divergence and does what `onDivergence` says; the recorded step compared is used up. */
  #diverged(kind: 'llm' | 'tool', recorded: Step | undefined, differences: Difference[]): 'live' | Error {
    const action = this.#onDivergence;
    const divergence: ReplayDivergence = {
      step: recorded?.step ?? -1,
      kind,
      action,
      differences,
      diff: diffText(differences),
    };
    this.divergences.push(divergence);
    if (recorded) this.#use(recorded);
    if (action === 'throw') {
      this.#failed = new ReplayDivergenceError(divergence);
      return this.#failed;
    }
    if (action === 'stop') this.#stopped = true;
    return this.#goLive();
  }
}

const ACTIONS: readonly DivergenceAction[] = ['throw', 'live', 'stop'];

function divergenceAction(value: unknown): DivergenceAction {
  if (value === undefined) return 'throw';
  if (!ACTIONS.includes(value as DivergenceAction))
    throw new ReplayError(`onDivergence must be 'throw', 'live' or 'stop', not ${JSON.stringify(value)}`);
  return value as DivergenceAction;
}

/** The step a fork goes live at. */
function forkPoint(steps: readonly Step[], from: ReplayOptions['from']): number {
  if (from === undefined) return Number.POSITIVE_INFINITY;
  if (typeof from !== 'object' || from === null || !('step' in from || 'eventId' in from))
    throw new ReplayError('from must be { step: N } or { eventId: ID }');
  if ('step' in from) {
    if (!Number.isInteger(from.step) || from.step < 0 || from.step > steps.length)
      throw new ReplayError(`from.step must be a whole number from 0 to ${steps.length} (the recorded calls)`);
    return from.step;
  }
  const step = steps.find((s) => s.eventId === from.eventId);
  if (!step) throw new ReplayError(`from.eventId ${from.eventId} is not an LLM or tool call of the session`);
  return step.step;
}

/** A recording and its replay's options, checked and worked out once (steps, fork point), before its session starts. */
export interface ReplayPlan {
  /** The recorded session's id. */
  origin: string;
  steps: Step[];
  onDivergence: DivergenceAction;
  /** The first step that runs live (a fork's point); Infinity to replay every step. */
  liveFrom: number;
  /** The session the replay is recorded as: linked to its origin, tagged `replay` or `fork`. */
  session: StartSessionOptions;
}

/** The plan of a replay of `recorded`; throws a ReplayError for options that are not valid (and no session starts). */
export function planReplay(recorded: SessionExport, options: ReplayOptions): ReplayPlan {
  const onDivergence = divergenceAction(options.onDivergence);
  const steps = stepsOf(recorded);
  const liveFrom = forkPoint(steps, options.from);
  const forked = options.from !== undefined;
  const name = options.name ?? recorded.session.name ?? undefined;
  return {
    origin: recorded.session.session_id,
    steps,
    onDivergence,
    liveFrom,
    session: {
      tags: [forked ? 'fork' : 'replay', ...(options.tags ?? [])],
      forkedFrom: { sessionId: recorded.session.session_id, ...(forked ? { step: liveFrom } : {}) },
      ...(name ? { name } : {}),
    },
  };
}

/** A session export read from JSON text, checked enough to be replayed. */
export function exportFromJson(text: string, where: string): SessionExport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReplayError(`${where} is not JSON: ${errorText(err)}`);
  }
  return checkedExport(value, where);
}

export function checkedExport(value: unknown, where: string): SessionExport {
  const v = value as Partial<SessionExport> | null;
  if (!v || typeof v !== 'object' || !v.session || typeof v.session.session_id !== 'string' || !Array.isArray(v.llms))
    throw new ReplayError(`${where} is not a session export (agentops-server sessions export ID)`);
  return v as SessionExport;
}
