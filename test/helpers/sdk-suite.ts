/**
 * What an in-process SDK test file needs: the local server (and the fake LLM APIs), started once
 * for the file and stopped at its end, and the SDK shut down after each test. `start()` is init()
 * against that server, as the tests run it (no exit hooks, short batching waits).
 */
import * as agentops from 'agentops';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './fake-llm-api.js';
import { startTestServer, type TestServer } from './server.js';

export interface SdkSuite {
  readonly server: TestServer;
  /** The fake LLM APIs (only when the suite was asked for them). */
  readonly fake: FakeOpenAI;
  /** init()'s options for the test server; what `start()` passes, before its own. */
  options(): agentops.InitOptions;
  /** init() with a session started, which it returns. */
  start(options?: agentops.InitOptions): agentops.Session;
}

export function sdkSuite(use: { fake?: boolean } = {}): SdkSuite {
  let server: TestServer | undefined;
  let fake: FakeOpenAI | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    if (use.fake) fake = await startFakeOpenAI();
  });
  afterEach(async () => {
    await agentops.shutdown();
  });
  afterAll(async () => {
    await fake?.close();
    await server?.stop();
  });
  const suite: SdkSuite = {
    get server() {
      if (!server) throw new Error('the test server is not started yet');
      return server;
    },
    get fake() {
      if (!fake) throw new Error('the fake LLM APIs are not started (sdkSuite({ fake: true }))');
      return fake;
    },
    options: () => ({
      apiKey: suite.server.apiKey,
      endpoint: suite.server.url,
      logLevel: 'warn',
      handleExit: false,
      maxWaitTime: 50,
    }),
    start(options = {}) {
      const session = agentops.init({ ...suite.options(), ...options });
      if (!session) throw new Error('init() started no session');
      return session;
    },
  };
  return suite;
}
