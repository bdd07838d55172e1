/** No files where there is no file system (Workers, the Edge runtime): a replay's source is a session id or an export. */
import type * as Node from './source.js';

export const exportFromFile: typeof Node.exportFromFile = async () => undefined;
