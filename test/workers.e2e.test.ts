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

import { fileURLToPath } from 'node:url';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './helpers/fake-llm-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { withWranglerDev, wranglerRuns } from './helpers/wrangler.js';

describe.runIf(wranglerRuns)('a Cloudflare Worker under wrangler dev (workerd)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  /** The session once the server has it ended, with its tool call (it may not be there at all yet). */
  async function whole(id: string): Promise<SessionExport> {
    for (let i = 0; i < 100; i++) {
      const res = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
      if (res.status === 200 && res.body.session.end_state && res.body.tools.length > 0) return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`session ${id} did not arrive whole`);
  }

  /** One request to the Worker of `fixture`; its session once it is at the server whole, and what wrangler printed. */
  async function serve(fixture: string): Promise<{ data: SessionExport; output: string }> {
    const dir = fileURLToPath(new URL(`./fixtures/${fixture}/`, import.meta.url));
    const vars = { AGENTOPS_API_KEY: server.apiKey, AGENTOPS_API_ENDPOINT: server.url };
    const { value: data, output } = await withWranglerDev(dir, vars, async (url) => {
      const out = (await (await fetch(`${url}/?city=Paris`)).json()) as { id: string; answer: string };
      expect(out.answer).toBe('sunny in Paris');
      // The session was handed to waitUntil: it arrives after the answer.
      return whole(out.id);
    });
    expect(data.session.end_state).toBe('Success');
    expect(data.session.tags).toEqual(['worker']);
    expect(data.session.host_env).toEqual({ SDK: { 'AgentOps SDK Version': expect.any(String), Runtime: 'workerd' } });
    expect(data.agents.map((a) => a.name)).toEqual(['planner']);
    expect(data.llms.map((l) => [l.model, l.prompt_tokens, l.completion_tokens])).toEqual([['gpt-4o-mini', 12, 3]]);
    expect(data.tools.map((t) => [t.name, t.returns])).toEqual([['lookup', 'sunny in Paris']]);
    return { data, output };
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

  it('records an AI SDK call with its exchange, and replays it offline: fetch wrapped, no request sent', async () => {
    const openai = await startFakeOpenAI();
    const dir = fileURLToPath(new URL('./fixtures/worker-replay/', import.meta.url));
    const vars = { AGENTOPS_API_KEY: server.apiKey, AGENTOPS_API_ENDPOINT: server.url, OPENAI_BASE_URL: openai.url };
    let closed = false;
    try {
      const { value } = await withWranglerDev(dir, vars, async (url) => {
        const recorded = (await (await fetch(`${url}/record`)).json()) as Record<string, unknown>;
        expect(recorded.error).toBeUndefined();
        // The session at the server with its LLM call's exchange (delivered through waitUntil).
        let exported: SessionExport | undefined;
        for (let i = 0; i < 100; i++) {
          const res = await server.get<SessionExport>(`/v2/sessions/${recorded.id}/export`);
          if (res.status === 200) exported = res.body;
          if (exported?.llms[0]?.replay) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        // The API gone: a call that went live would fail.
        await openai.close();
        closed = true;
        const asked = openai.requests.length;
        const replayed = (await (await fetch(`${url}/replay?id=${recorded.id}`)).json()) as Record<string, unknown>;
        return { recorded, exported, replayed, asked, after: openai.requests.length };
      });
      const { recorded, exported, replayed } = value;
      expect(recorded.text).toBe('Paris is the capital of France.');
      expect(exported?.llms.map((l) => [l.model, l.replay?.response.status])).toEqual([
        ['gpt-4o-mini-2024-07-18', 200],
      ]);
      expect(value.asked).toBe(1);
      expect(value.after).toBe(1);
      expect(replayed).toMatchObject({ replayed: 1, live: 0, divergences: [], gaps: [] });
      expect(replayed.error).toBeUndefined();
      expect([replayed.text, replayed.responseId]).toEqual([recorded.text, recorded.responseId]);
      expect(replayed.id).not.toBe(recorded.id);
    } finally {
      if (!closed) await openai.close();
    }
  }, 120_000);
});
