/**
 * Exit paths, each in a real child process against the real server: end state, reason, exit code,
 * and that every event recorded before the exit arrived.
 */
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/exit-app.mjs', import.meta.url));
const EVENTS = 25;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function run(mode: string, signal?: NodeJS.Signals, endpoint = server.url) {
  const result = await runNode(
    app,
    [mode, String(EVENTS)],
    { AGENTOPS_API_KEY: server.apiKey, AGENTOPS_API_ENDPOINT: endpoint },
    (line, child) => {
      if (line === 'READY' && signal) setTimeout(() => child.kill(signal), 100);
    },
  );
  const id = /SESSION (\S+)/.exec(result.stdout)?.[1];
  expect(id, result.stderr).toBeDefined();
  const exported = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
  return { ...result, exported: exported.body };
}

it('SIGINT in an app that also runs the OpenAI Agents SDK (which listens too) still stops it, the session ended', async () => {
  const r = await run('sigint-with-agents', 'SIGINT');
  // Both listen: ours and the Agents SDK's, which exits (130) once it is the last one.
  expect(r.stdout).toContain('SIGINT LISTENERS 2');
  expect(r.signal === 'SIGINT' || r.code === 130).toBe(true);
  expect(r.exported.session.end_state).toBe('Fail');
  expect(r.exported.session.end_state_reason).toBe('Interrupted by SIGINT');
  expect(r.exported.tools).toHaveLength(EVENTS);
});

describe('exit paths', () => {
  it.each([
    ['normal', undefined, 0, 'Indeterminate', 'Process exited without ending the session'],
    ['ended', undefined, 0, 'Success', 'done'],
    ['sigint', 'SIGINT', null, 'Fail', 'Interrupted by SIGINT'],
    ['sigterm', 'SIGTERM', null, 'Fail', 'Interrupted by SIGTERM'],
    ['uncaught', undefined, 1, 'Fail', 'Error: kaboom'],
    ['rejection', undefined, 1, 'Fail', 'TypeError: rejected promise'],
    // process.exit() leaves no time for async work: a helper process delivers while the app waits.
    ['process-exit', undefined, 3, 'Indeterminate', 'Process exited (process.exit) without ending the session'],
    ['process-exit-later', undefined, 0, 'Indeterminate', 'Process exited (process.exit) without ending the session'],
    ['ended-then-exit', undefined, 0, 'Success', 'done, not awaited'],
  ] as const)('%s', async (mode, signal, code, endState, reason) => {
    const r = await run(mode, signal);
    if (signal) expect(r.signal).toBe(signal);
    else expect(r.code).toBe(code);
    expect(r.exported.session.end_state).toBe(endState);
    expect(r.exported.session.end_state_reason).toBe(reason);
    expect(r.exported.tools).toHaveLength(EVENTS);
    expect(new Set(r.exported.tools.map((t) => t.name)).size).toBe(EVENTS);
  });

  it('process.exit() with the backend down: the helper gives up at the flush timeout and says so', async () => {
    const r = await runNode(app, ['process-exit', '5'], {
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: 'http://127.0.0.1:9',
      EXIT_APP_FLUSH_TIMEOUT_MS: '1000',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /flush gave up after 1000 ms with 5 events not yet delivered to http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
    );
    expect(r.stderr).not.toContain(server.apiKey);
  });

  it.each([
    ['evaluate-after-end', 'judge'],
    ['evaluate-session-last', 'feedback'],
  ])(
    '%s: an evaluation awaited as the last statement settles before the process exits (0, not 13)',
    async (mode, name) => {
      // The answer takes a while: nothing but the awaited call keeps the process alive meanwhile.
      const proxy = await startFaultProxy(server.url);
      proxy.setFault((req) => (req.path.includes('/evaluations') ? { kind: 'delay', ms: 500 } : { kind: 'pass' }));
      const r = await run(mode, undefined, proxy.url).finally(() => proxy.close());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('EVALUATED true');
      expect(r.exported.evaluations?.map((e) => e.name)).toEqual([name]);
    },
  );

  it("the SDK's info lines go to stderr: stdout is the app's (an MCP server's stdio is its protocol)", async () => {
    const r = await runNode(app, ['ended', '3'], {
      AGENTOPS_API_KEY: server.apiKey,
      AGENTOPS_API_ENDPOINT: server.url,
      AGENTOPS_LOG_LEVEL: 'info',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SESSION [0-9a-f-]{36}\n$/);
    expect(r.stderr).toMatch(/AgentOps: Session [0-9a-f-]{36} ended Success/);
  });

  it('uncaught exception: Node still prints its usual report', async () => {
    const r = await run('uncaught');
    expect(r.stderr).toContain('Error: kaboom');
    expect(r.stderr).toMatch(/at .*exit-app\.mjs/);
  });

  it('an app with its own SIGINT handler keeps control of the exit', async () => {
    const r = await run('own-sigint', 'SIGINT');
    expect(r.stdout).toContain('APP HANDLED SIGINT');
    expect(r.code).toBe(7);
    expect(r.exported.session.end_state).toBe('Fail');
    expect(r.exported.session.end_state_reason).toBe('Interrupted by SIGINT');
    expect(r.exported.tools).toHaveLength(EVENTS);
  });
});
