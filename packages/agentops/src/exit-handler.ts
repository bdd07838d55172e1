/**
 * What happens to open sessions when the process ends:
 * - normal exit (`beforeExit`): sessions end Indeterminate, everything is flushed;
 * - SIGINT/SIGTERM: sessions end Failure ("Interrupted by SIGINT"), are flushed within the flush
 *   timeout, then the signal is raised again so it has its normal effect (exit 130/143), unless
 *   the app listens to that signal itself;
 * - an uncaught exception or unhandled rejection that nothing else handles: sessions end Failure with
 *   the error as reason, are flushed, then the error is thrown again for Node's usual report and exit 1;
 * - the app's own `process.exit()` before any of these had flushed: sessions end Indeterminate and
 *   what is undelivered is handed to a helper process that sends it while this one waits (bounded
 *   by the flush timeout): nothing asynchronous runs in an `exit` handler.
 */
export interface ExitHooks {
  endOpenSessions(endState: 'Failure' | 'Indeterminate', reason: string): void;
  flush(): Promise<void>;
  /** Delivers synchronously (blocking, bounded): the last chance, in `exit`. */
  flushSync(): void;
  /** Longest wait for a flush on a signal or crash. */
  flushTimeoutMillis: number;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    // Not unref'ed: the process must stay alive to raise the signal or rethrow afterwards.
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `Uncaught ${typeof error === 'string' ? error : typeof error}`;
}

/**
 * Whether a listener besides ours decides what `signal` does. A library's listener that exits only
 * when it is the last one (the OpenAI Agents SDK's trace cleanup) is no such decision: counted as
 * one, each would wait for the other and the process would never stop.
 */
function othersHandle(signal: NodeJS.Signals, ours: () => void): boolean {
  return process.listeners(signal).some((l) => l !== ours && !exitsOnlyWhenAlone(l));
}

function exitsOnlyWhenAlone(listener: (...args: never[]) => unknown): boolean {
  try {
    return /hasOtherListenersForSignals/.test(Function.prototype.toString.call(listener));
  } catch {
    return false;
  }
}

/** Installs the handlers; returns the function that removes them. */
export function installExitHandler(hooks: ExitHooks): () => void {
  let flushingForExit = false;
  /** A flush for the process's end has finished (or given up): `exit` has nothing left to do. */
  let exitFlushSettled = false;
  const settled = () => {
    exitFlushSettled = true;
  };

  // Once: 'beforeExit' comes again each time the loop empties, and flushing again to a backend that
  // is down would keep the process alive retrying for as long as it stays down.
  const onBeforeExit = () => {
    if (flushingForExit || exitFlushSettled) return;
    flushingForExit = true;
    hooks.endOpenSessions('Indeterminate', 'Process exited without ending the session');
    hooks.flush().finally(() => {
      flushingForExit = false;
      settled();
    });
  };

  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    let received = false;
    const handler = () => {
      const appHandlesIt = othersHandle(signal, handler);
      if (received) {
        // A second signal while flushing: stop waiting.
        process.removeListener(signal, handler);
        if (!appHandlesIt) process.kill(process.pid, signal);
        return;
      }
      received = true;
      hooks.endOpenSessions('Failure', `Interrupted by ${signal}`);
      withTimeout(hooks.flush(), hooks.flushTimeoutMillis).then(() => {
        settled();
        if (appHandlesIt) return;
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      });
    };
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }

  const onUncaught = (error: unknown) => {
    // Other listeners mean the app has decided what a crash does; leave it to them.
    if (process.listenerCount('uncaughtException') > 1) return;
    process.removeListener('uncaughtException', onUncaught);
    hooks.endOpenSessions('Failure', describe(error));
    withTimeout(hooks.flush(), hooks.flushTimeoutMillis).then(() => {
      settled();
      process.nextTick(() => {
        throw error;
      });
    });
  };

  const onExit = () => {
    if (exitFlushSettled) return;
    try {
      hooks.endOpenSessions('Indeterminate', 'Process exited (process.exit) without ending the session');
      hooks.flushSync();
    } catch {
      // A throw here would change how the app exits; what could not be sent is lost.
    }
  };

  process.on('beforeExit', onBeforeExit);
  process.on('uncaughtException', onUncaught);
  process.on('exit', onExit);

  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('uncaughtException', onUncaught);
    process.removeListener('exit', onExit);
    for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
  };
}
