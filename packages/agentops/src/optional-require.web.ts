/**
 * Optional peers where there are no module files to load at run time (Workers, the Edge runtime):
 * none is found. What such an app uses is bundled and set up by the app itself: the REST v2
 * pipeline needs no peer.
 */
import type * as Node from './optional-require.js';

export const optionalRequire: typeof Node.optionalRequire = () => undefined;

export const isInstalled: typeof Node.isInstalled = () => false;

export const canRequireEsm: typeof Node.canRequireEsm = () => false;
