/**
 * PostgreSQL's search index written on a thread of the server's own (postgres-search.ts's queue in
 * the background), with a connection of its own, below the server's other threads: reading the
 * queued events and working out their words never holds up a request, and ingest goes first for
 * the CPU as it does for the queue.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { errorText } from '@agentops/exporter/internal';
import pg from 'pg';
import { PostgresSearchQueue } from './postgres-search.js';

export interface PostgresSearchWorkerData {
  url: string;
  statementMillis: number;
  lockMillis: number;
}
export type PostgresSearchWorkerRequest = { kind: 'stop' };
export type PostgresSearchWorkerReply = { kind: 'failed'; error: string } | { kind: 'stopped' };

const port = parentPort;
if (port) {
  // On Linux a thread's nice value is its own: this thread's only (elsewhere the call may refuse).
  try {
    setPriority(19);
  } catch {
    // Not allowed here: the default priority.
  }
  const { url, statementMillis, lockMillis } = workerData as PostgresSearchWorkerData;
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    application_name: 'agentops-server search index',
    statement_timeout: statementMillis,
    lock_timeout: lockMillis,
  });
  // A connection that breaks while idle is replaced at the next look: said by the look that fails.
  pool.on('error', () => {});
  const queue = new PostgresSearchQueue(pool, (err) =>
    port.postMessage({ kind: 'failed', error: errorText(err) } satisfies PostgresSearchWorkerReply),
  );
  queue.background();
  port.on('message', async (request: PostgresSearchWorkerRequest) => {
    if (request.kind !== 'stop') return;
    await queue.close();
    await pool.end().catch(() => {});
    port.postMessage({ kind: 'stopped' } satisfies PostgresSearchWorkerReply);
    port.close();
  });
}
