/**
 * Where there is no process to exit (Workers, the Edge runtime), nothing to install: a request's
 * session is ended and delivered by `withSession`, before the answer or through `waitUntil`.
 */
import type * as Node from './exit-handler.js';

export type { ExitHooks } from './exit-handler.js';

export const installExitHandler: typeof Node.installExitHandler = () => () => {};
