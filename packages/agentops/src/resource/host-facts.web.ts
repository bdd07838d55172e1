/** A Worker or an Edge function has no host to tell of (CPU, memory, disk, working directory): none is sent. */
import type * as Node from './host-facts.js';

export const hostFacts: typeof Node.hostFacts = () => ({});
