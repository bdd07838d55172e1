/**
 * A serverless function frozen the moment its handler returns: a process whose module ran
 * agentops.init() once and whose invocations call a handler wrapped in withSession(). After each
 * invocation settles the test freezes the process (SIGSTOP) and reads the session from the server:
 * it must be there whole (ended, with every event) before the process runs again; at the end the
 * process is killed, never shut down. Failures, joined sessions, waitUntil and streamed responses too.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const fixture = fileURLToPath(new URL('./fixtures/serverless-handler.mjs', import.meta.url));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** The function's process, and a way to invoke it: resolves with its answer line once the invocation settled. */
function startFunction() {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [fixture], {
    env: { ...process.env, AGENTOPS_API_KEY: server.apiKey, AGENTOPS_API_ENDPOINT: server.url, NODE_NO_WARNINGS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    // Frozen at once, before anything else of the process can run.
    child.kill('SIGSTOP');
    waiting.shift()?.(line);
  });
  return {
    child,
    stderr: () => stderr,
    invoke(line: string): Promise<string[]> {
      return new Promise((resolve) => {
        waiting.push((answer) => resolve(answer.split(' ')));
        child.kill('SIGCONT');
        child.stdin.write(`${line}\n`);
      });
    },
  };
}

/** The session as the server has it now (the function is frozen: nothing more will come). */
const stored = (id: string) => server.get<SessionExport>(`/v2/sessions/${id}/export`);

it('1,000 invocations, the process frozen the moment each returns: every session is on the server, whole and ended', async () => {
  const fn = startFunction();
  try {
    const incomplete: string[] = [];
    for (let n = 1; n <= 1000; n++) {
      const [what, , id] = await fn.invoke(`invoke ${n}`);
      expect(what, fn.stderr()).toBe('returned');
      const res = await stored(id as string);
      const s = res.body;
      const whole =
        res.status === 200 &&
        s.session.end_state === 'Success' &&
        s.llms.length === 1 &&
        s.tools.length === 1 &&
        s.stats.llm_calls === 1 &&
        s.session.tags?.includes('serverless');
      if (!whole) incomplete.push(`${n} ${id}: ${res.status} ${JSON.stringify(s).slice(0, 200)}`);
    }
    expect(incomplete).toEqual([]);
  } finally {
    fn.child.kill('SIGKILL');
  }
}, 300_000);

it('a handler that throws: its session is delivered as Failure, with the error, before the rejection reaches the caller', async () => {
  const fn = startFunction();
  try {
    const [what, , id, ...message] = await fn.invoke('fail 7');
    expect(what).toBe('threw');
    expect(message.join(' ')).toBe('order 7 not found');
    const s = (await stored(id as string)).body;
    expect(s.session.end_state).toBe('Fail');
    expect(s.session.end_state_reason).toContain('order 7 not found');
    expect(s.tools.map((t) => t.name)).toEqual(['lookup_order']);
  } finally {
    fn.child.kill('SIGKILL');
  }
}, 60_000);

it("a request that carries a caller's session: the invocation's work joins it, delivered before the answer", async () => {
  // The caller: a session of another process, started on the server.
  const callerId = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-4${randomBytes(2).toString('hex').slice(1)}-8${randomBytes(2).toString('hex').slice(1)}-${randomBytes(6).toString('hex')}`;
  const created = await server.post('/v2/create_session', {
    session: { session_id: callerId, init_timestamp: new Date().toISOString(), tags: ['caller'] },
  });
  expect(created.status).toBe(200);
  const traceId = callerId.replace(/-/g, '');
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  const fn = startFunction();
  try {
    const [what, , id] = await fn.invoke(`join 3 ${traceparent} agentops.session.id=${callerId}`);
    expect(what).toBe('returned');
    expect(id).toBe(callerId);
    const s = (await stored(callerId)).body;
    // The caller's session, with the function's events, not ended by the function.
    expect(s.session.tags).toEqual(['caller']);
    expect(s.session.end_state ?? null).toBeNull();
    expect(s.llms).toHaveLength(1);
    expect(s.tools.map((t) => t.name)).toEqual(['lookup_order']);
  } finally {
    fn.child.kill('SIGKILL');
  }
}, 60_000);
