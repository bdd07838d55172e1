/**
 * The WAL checkpointer: a thread of its own with its own connection to the server's SQLite file,
 * copying the write-ahead log into the database whenever the log has grown. Checkpoints are the
 * one slow write SQLite does (tens of megabytes and an fsync); on the main thread, as SQLite's
 * automatic checkpoints are, one stalled every request for about 100 ms. PASSIVE checkpoints never
 * wait for, nor block, the main thread's readers and writers.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, type SqliteDriverName } from './sqlite-driver.js';

export interface CheckpointWorkerData {
  file: string;
  everyMillis: number;
  driver: SqliteDriverName;
}
export type CheckpointWorkerRequest = { kind: 'stop' };
export type CheckpointWorkerReply = { kind: 'checkpointed'; frames: number } | { kind: 'stopped' };

const port = parentPort;
if (port) {
  const { file, everyMillis, driver } = workerData as CheckpointWorkerData;
  const db = openSqlite(file, driver, { fileMustExist: true });
  db.pragma('wal_autocheckpoint = 0');
  let seen = '';
  const walState = (): string => {
    try {
      const s = statSync(`${file}-wal`);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '';
    }
  };
  const timer = setInterval(() => {
    const state = walState();
    if (state === seen || state === '') return;
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    // A log a reader still holds is copied only in part: tried again next time, changed or not.
    if (result && result.checkpointed >= result.log) seen = state;
    port.postMessage({ kind: 'checkpointed', frames: result?.checkpointed ?? 0 } satisfies CheckpointWorkerReply);
  }, everyMillis);
  port.on('message', (request: CheckpointWorkerRequest) => {
    if (request.kind !== 'stop') return;
    clearInterval(timer);
    db.close();
    port.postMessage({ kind: 'stopped' } satisfies CheckpointWorkerReply);
    port.close();
  });
}
