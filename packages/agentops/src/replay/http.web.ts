/**
 * Where there is no Node `fetch` (undici) to intercept (Workers, the Edge runtime, a browser): the
 * global `fetch` itself is wrapped (fetch.ts), when `recordReplay` records or a replay starts, not
 * at `init()`. A client that resolves `fetch` at each call (the AI SDK's providers do) reaches the
 * wrapped one; one that took `fetch` before is not recorded or replayed.
 */

import { interceptFetch } from './fetch.js';
import type * as Node from './http.js';
import { state } from './intercepted.js';

export type { ReplayCalls, ToolAnswer } from './intercepted.js';
export { REPLAY_KEY, replayIn } from './intercepted.js';

export const recordExchanges: typeof Node.recordExchanges = (on) => {
  state.recording = on;
  return on ? interceptFetch() : true;
};

export const intercept: typeof Node.intercept = () => interceptFetch();

export const keepIntercepting: typeof Node.keepIntercepting = () => {};

export const interceptOwnFetch: typeof Node.interceptOwnFetch = () => {};
