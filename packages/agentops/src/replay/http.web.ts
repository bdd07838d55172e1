/**
 * Where there is no Node `fetch` (undici) to intercept (Workers, the Edge runtime): LLM calls are
 * neither recorded for replay nor replayed; `recordReplay` and `agentops.replay()` say so.
 */
import type { Context } from '@opentelemetry/api';
import type * as Node from './http.js';

export type { ReplayCalls, ToolAnswer } from './http.js';

export const REPLAY_KEY = Symbol.for('agentops.replay');

export const replayIn: typeof Node.replayIn = (ctx: Context) =>
  ctx.getValue(REPLAY_KEY) as Node.ReplayCalls | undefined;

export const recordExchanges: typeof Node.recordExchanges = () => false;

export const intercept: typeof Node.intercept = () => false;

export const keepIntercepting: typeof Node.keepIntercepting = () => {};

export const interceptOwnFetch: typeof Node.interceptOwnFetch = () => {};
