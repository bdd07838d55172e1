/**
 * User callbacks (a span filter, `onSessionReady`) run inside the export pipeline: one that throws
 * must not lose the spans around it. `guarded` catches, says so once per callback, and answers the
 * fallback instead.
 */
import type { Logger } from './logger.js';
import { errorText } from './values.js';

export function guarded<A extends unknown[], R>(
  fn: (...args: A) => R,
  logger: Logger,
  name: string,
  fallback: ((...args: A) => R) | undefined,
): (...args: A) => R {
  let reported = false;
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      if (!reported) {
        reported = true;
        logger.warn(`${name} threw (${errorText(err)}); ${fallback ? 'using the default' : 'ignored'} (said once).`);
      }
      return fallback?.(...args) as R;
    }
  };
}
