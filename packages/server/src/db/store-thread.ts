/**
 * A thread of the SQLite store's own (its checkpoints, its search index): started with its data and
 * unreferenced (it never keeps the process alive); its replies passed on; if it fails or exits
 * unasked, `onFallBack` is called once, so its work returns to the main thread; `stop()` asks it to
 * stop and waits for its word (or its exit).
 */
import { Worker } from 'node:worker_threads';

export interface StoreThread<Request> {
  post(request: Request): void;
  /** Asks the thread to stop and waits until it has; no fall-back is said after this. */
  stop(): Promise<void>;
}

export function startStoreThread<Request, Reply extends { kind: string }>(
  script: URL,
  workerData: unknown,
  onReply: (reply: Reply) => void,
  onFallBack: (why: unknown) => void,
): StoreThread<Request> {
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
    async stop() {
      over = true;
      worker.postMessage({ kind: 'stop' });
      await stopped;
    },
  };
}
