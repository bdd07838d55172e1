/** A recorded session to replay, from an export file (`agentops-server sessions export ID > run.json`). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SessionExport } from '@agentops/exporter';
import { exportFromJson } from './Replay.js';

/** The export in the file at `path`; undefined when there is no such file (`path` is then a session id). */
export async function exportFromFile(path: string): Promise<SessionExport | undefined> {
  if (!existsSync(path)) return undefined;
  return exportFromJson(await readFile(path, 'utf8'), path);
}
