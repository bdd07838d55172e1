/** The SDK's log output: one prefix, one level, never throws. */
import { diag } from '@opentelemetry/api';
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
    debug: out('debug', toStderr),
    info: out('info', toStderr),
    warn: out('warn', (l) => console.warn(l)),
    error: out('error', (l) => console.error(l)),
  };
}

/**
 * Info and debug lines go to stderr, never stdout: stdout is the app's (an MCP server's stdio is
 * its protocol channel, a CLI's output is piped). Not through console.error, which apps and error
 * trackers take for errors.
 */
function toStderr(line: string): void {
  const stderr = typeof process === 'object' ? process.stderr : undefined;
  if (stderr && typeof stderr.write === 'function') stderr.write(`${line}\n`);
  else console.warn(line);
}

/**
 * The logger of the export pipeline: its warnings and errors reach OpenTelemetry's `diag` as well,
 * where apps that run OpenTelemetry look for what their SDK components report (a no-op unless the
 * app set a diag logger).
 */
export function withDiag(logger: Logger): Logger {
  const both = (own: (m: string) => void, toDiag: (m: string) => void) => (message: string) => {
    own(message);
    try {
      toDiag(`AgentOps: ${message}`);
    } catch {
      // A diag logger that throws must not take the pipeline down.
    }
  };
  return {
    debug: (m) => logger.debug(m),
    info: (m) => logger.info(m),
    warn: both(
      (m) => logger.warn(m),
      (m) => diag.warn(m),
    ),
    error: both(
      (m) => logger.error(m),
      (m) => diag.error(m),
    ),
  };
}
