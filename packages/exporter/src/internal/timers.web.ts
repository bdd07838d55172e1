/** Timers for Web-API runtimes (see `timers.ts`): a later turn is a zero-delay timeout. */
import type * as Node from './timers.js';

export { unrefTimer } from './timers.js';

export const nextTurn: typeof Node.nextTurn = (callback) => {
  setTimeout(callback, 0);
};
