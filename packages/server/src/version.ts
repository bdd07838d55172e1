/** The server package's version, read from its package.json (beside dist/ in the built package). */
import { createRequire } from 'node:module';

export const SERVER_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
