/**
 * A thread of the SQLite store's own (store-thread.ts): its replies are passed on; asked to stop, it
 * stops and no fall-back is said; if it dies unasked, the fall-back is said once, with why.
 */
import { expect, it } from 'vitest';
import { startStoreThread } from '../src/db/store-thread.js';

/** A thread that says hello, dies when told to, stops when asked, and once stuck never answers. */
const script = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    let stuck = false;
    parentPort.postMessage({ kind: 'hello' });
    parentPort.on('message', (m) => {
      if (m.kind === 'die') process.exit(3);
      if (m.kind === 'stick') {
        stuck = true;
        parentPort.postMessage({ kind: 'stuck' });
      }
      if (m.kind === 'stop' && !stuck) {
        parentPort.postMessage({ kind: 'stopped' });
        parentPort.close();
      }
    });
  `)}`,
);

type Request = { kind: 'die' } | { kind: 'stick' } | { kind: 'stop' };

/** The thread started, what it passes on collected, and the first reply and fall-back awaited. */
function started() {
  const replies: unknown[] = [];
  const fallBacks: unknown[] = [];
  let replied: () => void = () => {};
  let fell: () => void = () => {};
  const firstReply = new Promise<void>((resolve) => {
    replied = resolve;
  });
  const firstFallBack = new Promise<void>((resolve) => {
    fell = resolve;
  });
  const thread = startStoreThread<Request, { kind: string }>(
    script,
    undefined,
    (reply) => {
      replies.push(reply);
      replied();
    },
    (why) => {
      fallBacks.push(why);
      fell();
    },
  );
  return { thread, replies, fallBacks, firstReply, firstFallBack };
}

it('passes its replies on, and stops when asked without a fall-back', async () => {
  const { thread, replies, fallBacks, firstReply } = started();
  await firstReply;
  await thread.stop();
  expect(replies).toEqual([{ kind: 'hello' }]);
  expect(fallBacks).toEqual([]);
});

it('falls back once, saying why, when the thread dies unasked', async () => {
  const { thread, fallBacks, firstFallBack } = started();
  thread.post({ kind: 'die' });
  await firstFallBack;
  // Stopping a thread that is gone neither waits forever nor says it again.
  await thread.stop();
  expect(fallBacks).toEqual(['exit code 3']);
});

it('ends a thread that does not answer its stop in time, without a fall-back', async () => {
  const { thread, replies, fallBacks, firstReply } = started();
  await firstReply;
  thread.post({ kind: 'stick' });
  while (replies.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  // Without the bound this would wait forever: the test's own timeout would fail it.
  await thread.stop(50);
  expect(replies).toEqual([{ kind: 'hello' }, { kind: 'stuck' }]);
  expect(fallBacks).toEqual([]);
});

it('is not started where its script is not there (the sources run as they are): the caller keeps the work', () => {
  const fallBacks: unknown[] = [];
  const thread = startStoreThread(
    new URL('./no-such-thread.js', import.meta.url),
    undefined,
    () => {},
    (why) => fallBacks.push(why),
  );
  expect(thread).toBeUndefined();
  expect(fallBacks).toEqual([]);
});
