/** The SDK's log output: one prefix, one level, never throws. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in ORDER;
}

export function createConsoleLogger(level: LogLevel = 'warn', prefix = 'AgentOps:'): Logger {
  const min = ORDER[level];
  const out = (at: LogLevel, write: (line: string) => void) => (message: string) => {
    if (ORDER[at] < min) return;
    try {
      write(`${prefix} ${message}`);
    } catch {
      // A closed stdout/stderr must not take the app down.
    }
  };
  return {
    debug: out('debug', (l) => console.debug(l)),
    info: out('info', (l) => console.info(l)),
    warn: out('warn', (l) => console.warn(l)),
    error: out('error', (l) => console.error(l)),
  };
}

/** Logs each distinct key once per process lifetime of the returned function. */
export function onceBy(log: (message: string) => void): (key: string, message: string) => void {
  const seen = new Set<string>();
  return (key, message) => {
    if (seen.has(key)) return;
    seen.add(key);
    log(message);
  };
}
