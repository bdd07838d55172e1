/**
 * Timers the way every runtime has them. Background work never holds a Node.js process open
 * (`unref`); a Worker's or an Edge function's timers are plain numbers with nothing to unref.
 * `timers.web.ts` is the Web-API runtimes' `nextTurn`: they have no working `setImmediate` (the
 * Edge runtime defines one that throws).
 */

export function unrefTimer(timer: ReturnType<typeof setTimeout> | ReturnType<typeof setInterval>): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Runs `callback` on a later turn of the event loop, after pending I/O (`setImmediate` where there is one). */
export function nextTurn(callback: () => void): void {
  setImmediate(callback);
}
