import type { Logger } from '@agentops/exporter';
import * as agentops from 'agentops';
import { afterEach, beforeEach } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import type { AppTracerProvider } from './otel.js';
import { resetOtelGlobals } from './otel.js';
import { startTestServer, type TestServer } from './server.js';

/** What each test of a file sees: its own server, the fault proxy in front of it, what was logged. */
export interface ProxiedServer {
  server: TestServer;
  proxy: FaultProxy;
  /** Log lines from `logger`, "level message", emptied before each test. */
  logs: string[];
  logger: Logger;
  /** The test's tracer provider, if it made one: shut down after the test. */
  provider: AppTracerProvider | undefined;
}

/**
 * Starts a real server and a fault proxy before each test of the calling file, and after each
 * test shuts the SDK and the test's provider down and leaves OpenTelemetry's globals as they were.
 */
export function withProxiedServer(options?: Parameters<typeof startTestServer>[0]): ProxiedServer {
  const logs: string[] = [];
  const env = {
    logs,
    logger: {
      debug: () => {},
      info: (m) => logs.push(`info ${m}`),
      warn: (m) => logs.push(`warn ${m}`),
      error: (m) => logs.push(`error ${m}`),
    },
    provider: undefined,
  } as Partial<ProxiedServer> as ProxiedServer;
  beforeEach(async () => {
    logs.length = 0;
    env.server = await startTestServer(options);
    env.proxy = await startFaultProxy(env.server.url);
  });
  afterEach(async () => {
    await agentops.shutdown();
    await env.provider?.shutdown();
    env.provider = undefined;
    resetOtelGlobals();
    await env.proxy.close();
    await env.server.stop();
  });
  return env;
}
