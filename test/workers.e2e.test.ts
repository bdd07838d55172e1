/**
 * Cloudflare Workers: a Worker that imports `agentops` (test/fixtures/worker/worker.mjs), bundled and
 * served by `wrangler dev` on a real workerd (the npm packages' binary). Wrangler resolves the
 * packages' `workerd` condition: the Web-API entry (`dist/web.js`), which imports nothing Node-only.
 * Each request is a session delivered through `ctx.waitUntil` to the local server, whole, the host
 * environment naming workerd:
 * - with `nodejs_compat` (fixtures/worker): the agent, its LLM call and its tool nested as they ran
 *   (the context crosses the awaits through the runtime's AsyncLocalStorage);
 * - with no compatibility flag (fixtures/worker-web, the same Worker): no AsyncLocalStorage, which
 *   the SDK says once; every event still reaches the request's session, under its root span.
 * Wrangler runs on Node 22.12 or newer: this file runs on the Node 24 leg of CI.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './helpers/child.js';
import { freePort } from './helpers/free-port.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const require = createRequire(import.meta.url);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const wranglerRuns = major > 22 || (major === 22 && minor >= 12);

describe.runIf(wranglerRuns)('a Cloudflare Worker under wrangler dev (workerd)', () => {
  let server: TestServer;
  let state: string;
  beforeAll(async () => {
    server = await startTestServer();
    state = mkdtempSync(join(tmpdir(), 'agentops-wrangler-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(state, { recursive: true, force: true });
  });

  async function serve(fixture: string) {
    const workerDir = fileURLToPath(new URL(`./fixtures/${fixture}/`, import.meta.url));
    const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
    const port = await freePort();
    let answered: Promise<{ id: string; answer: string }> | undefined;
    const run = runCommand(
      process.execPath,
      [
        wrangler,
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--persist-to',
        state,
        '--var',
        `AGENTOPS_API_KEY:${server.apiKey}`,
        '--var',
        `AGENTOPS_API_ENDPOINT:${server.url}`,
      ],
      workerDir,
      { CI: 'true', NO_COLOR: '1', WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: state },
      (line, child) => {
        if (answered || !/Ready on http/.test(line)) return;
        answered = (async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/?city=Paris`);
            return (await res.json()) as { id: string; answer: string };
          } finally {
            // The session is handed to waitUntil: wait for it at the server, then stop.
            setTimeout(() => child.kill('SIGTERM'), 8_000).unref();
          }
        })();
      },
    );
    let ended: { stderr: string } | undefined;
    void run.then((r) => (ended = r));
    const exported = (async () => {
      const out = await waitFor(() => {
        if (ended && !answered) throw new Error(`wrangler dev exited before it served:\n${ended.stderr}`);
        return answered;
      });
      for (let i = 0; i < 60; i++) {
        const res = await server.get<SessionExport>(`/v2/sessions/${out.id}/export`);
        if (res.status === 200 && res.body.session.end_state && res.body.tools.length > 0)
          return { out, data: res.body };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`session ${out.id} did not arrive whole`);
    })();
    const [{ out, data }, result] = await Promise.all([exported, run]);
    expect(out.answer, result.stderr).toBe('sunny in Paris');
    expect(data.session.end_state).toBe('Success');
    expect(data.session.tags).toEqual(['worker']);
    expect(data.session.host_env).toEqual({ SDK: { 'AgentOps SDK Version': expect.any(String), Runtime: 'workerd' } });
    expect(data.agents.map((a) => a.name)).toEqual(['planner']);
    expect(data.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([['gpt-4o-mini', 12, 3]]);
    expect(data.tools.map((t) => [t.name, t.returns])).toEqual([['lookup', 'sunny in Paris']]);
    return { data, output: `${result.stdout}${result.stderr}` };
  }

  it('with nodejs_compat: each request a session, nested as it ran, delivered through ctx.waitUntil', async () => {
    const { data, output } = await serve('worker');
    expect(output).not.toContain('AsyncLocalStorage');
    const agent = data.agents[0];
    expect(data.llms.map((l) => l.agent_id)).toEqual([agent?.id]);
    expect(data.tools.map((t) => [t.agent_id, t.parent_span_id])).toEqual([[agent?.id, agent?.span_id]]);
  }, 90_000);

  it('with no compatibility flag: Web APIs only, each request a session all the same, said once', async () => {
    const { data, output } = await serve('worker-web');
    expect(output.match(/this runtime has no AsyncLocalStorage/g)).toHaveLength(1);
    // No context across awaits: what ran after one sits under the session's root span, as the agent does.
    const root = data.agents[0]?.parent_span_id;
    expect(data.llms.map((l) => [l.agent_id, l.parent_span_id])).toEqual([[null, root]]);
    expect(data.tools.map((t) => [t.agent_id, t.parent_span_id])).toEqual([[null, root]]);
  }, 90_000);
});

/** The value `get` gives once it gives one (polled: it is set from another callback). */
async function waitFor<T>(get: () => Promise<T> | undefined): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = get();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('wrangler dev did not become ready in 60 s');
}
