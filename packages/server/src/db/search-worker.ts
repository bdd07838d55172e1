/**
 * The search index's writer on a thread of its own (sqlite-search.ts): it reads the queue ingest
 * writes in the database, and writes the index file, with connections of its own. It looks for new
 * entries every `everyMillis`, and at once when asked (a search waiting for what was stored before
 * it), a step at a time, so a request to stop is heard between steps.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, type SqliteDriverName } from './sqlite-driver.js';
import { IndexWriter } from './sqlite-search.js';

export interface SearchWorkerData {
  file: string;
  index: string;
  everyMillis: number;
  driver: SqliteDriverName;
}
export type SearchWorkerRequest = { kind: 'poke' } | { kind: 'stop' };
export type SearchWorkerReply =
  | { kind: 'indexed'; upto: number }
  | { kind: 'failed'; error: string }
  | { kind: 'stopped' };

const port = parentPort;
if (port) {
  // Below the server's own threads, which it would otherwise share two cores with evenly: on
  // Linux a thread's nice value is its own, so this thread's only (elsewhere the call may refuse).
  try {
    setPriority(19);
  } catch {
    // Not allowed here: the default priority.
  }
  const { file, index: indexFile, everyMillis, driver } = workerData as SearchWorkerData;
  const db = openSqlite(file, driver, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const index = openSqlite(indexFile, driver, { fileMustExist: true });
  index.pragma('busy_timeout = 5000');
  index.pragma('synchronous = NORMAL');
  const writer = new IndexWriter(index, db);
  let upto = writer.upto;
  let scheduled: NodeJS.Immediate | undefined;
  let stopping = false;
  const step = () => {
    scheduled = undefined;
    if (stopping) return;
    try {
      const done = writer.step();
      if (done.upto !== upto) {
        upto = done.upto;
        port.postMessage({ kind: 'indexed', upto } satisfies SearchWorkerReply);
      }
      if (done.more) scheduled = setImmediate(step);
    } catch (err) {
      // Said, and tried again at the next look: the entries stay queued.
      port.postMessage({
        kind: 'failed',
        error: err instanceof Error ? err.message : String(err),
      } satisfies SearchWorkerReply);
    }
  };
  const look = () => {
    if (!scheduled) scheduled = setImmediate(step);
  };
  const timer = setInterval(look, everyMillis);
  look();
  port.on('message', (request: SearchWorkerRequest) => {
    if (request.kind === 'poke') {
      look();
      return;
    }
    stopping = true;
    clearInterval(timer);
    if (scheduled) clearImmediate(scheduled);
    index.close();
    db.close();
    port.postMessage({ kind: 'stopped' } satisfies SearchWorkerReply);
    port.close();
  });
}
