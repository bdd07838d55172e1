/**
 * A thread of a store's own (SQLite's checkpoints, each store's search index): started with its
 * data and unreferenced (it never keeps the process alive); its replies passed on; if it fails or
 * exits unasked, `onFallBack` is called once, so its work returns to the main thread; `stop()` asks
 * it to stop and waits for its word (or its exit), and ends it if that does not come in time. Not
 * started where its script is not beside the module (the sources run as they are, in this
 * repository's tests): the work stays on the main thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorText } from '@agentops/exporter/internal';

/** How long `stop()` waits for the thread's word by default before it ends the thread. */
const STOP_WAIT_MILLIS = 10_000;

export interface StoreThread<Request> {
  post(request: Request): void;
  /**
   * Asks the thread to stop and waits until it has, or ends it after `waitMillis` (a step stuck on
   * a database that does not answer: what it held is rolled back, its work stays queued); no
   * fall-back is said after this.
   */
  stop(waitMillis?: number): Promise<void>;
}

export function startStoreThread<Request, Reply extends { kind: string }>(
  script: URL,
  workerData: unknown,
  onReply: (reply: Reply) => void,
  onFallBack: (why: unknown) => void,
): StoreThread<Request> | undefined {
  if (script.protocol === 'file:' && !existsSync(fileURLToPath(script))) return undefined;
  const worker = new Worker(script, { workerData });
  worker.unref();
  let over = false;
  const fallBack = (why: unknown) => {
    if (over) return;
    over = true;
    onFallBack(why);
  };
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (reply: Reply) => {
      if (reply.kind === 'stopped') resolve();
      else onReply(reply);
    });
    worker.on('error', fallBack);
    worker.on('exit', (code) => {
      fallBack(`exit code ${code}`);
      resolve();
    });
  });
  return {
    post: (request) => worker.postMessage(request),
    async stop(waitMillis = STOP_WAIT_MILLIS) {
      over = true;
      worker.postMessage({ kind: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), waitMillis);
      });
      const outcome = await Promise.race([stopped, late]);
      clearTimeout(timer);
      if (outcome === 'late') await worker.terminate();
    },
  };
}

/** What is said when either store's search index thread stops unasked, and its work returns to the main thread. */
export function searchThreadStopped(why: unknown): string {
  return `the search index thread stopped (${errorText(why)}); the index is written on the main thread`;
}
