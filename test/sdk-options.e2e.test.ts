/** InitOptions that change what is sent: env-data opt-out, no key, inherited ids, OTLP export. */

import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { SessionExport } from 'agentops';
import * as agentops from 'agentops';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { runNode } from './helpers/child.js';
import { captureConsole } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await agentops.shutdown();
  vi.restoreAllMocks();
});
afterAll(async () => {
  await server.stop();
});

const base = () => ({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'silent' as const });

it('envDataOptOut keeps only SDK and OS facts in host_env', async () => {
  const session = agentops.init({ ...base(), envDataOptOut: true });
  await session?.endSession('Success');
  const env = (await server.get<SessionExport>(`/v2/sessions/${session?.id}/export`)).body.session.host_env ?? {};
  expect(Object.keys(env).sort()).toEqual(['OS', 'SDK']);
  expect((env.OS as Record<string, unknown>).Hostname).toBeUndefined();
  expect((env.SDK as Record<string, unknown>)['AgentOps SDK Version']).toBe(agentops.SDK_VERSION);
});

it('without an API key: one warning, the app goes on, nothing is sent', async () => {
  const logs = captureConsole();
  const before = await server.get<{ total: number }>('/v2/sessions');
  const previous = process.env.AGENTOPS_API_KEY;
  delete process.env.AGENTOPS_API_KEY;
  try {
    const session = agentops.init({ endpoint: server.url, handleExit: false });
    expect(session).toBeDefined();
    session?.record(new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 10, completionTokens: 5, cost: 0.5 }));
    await expect(session?.endSession('Success')).resolves.toBe('0.500000');
  } finally {
    if (previous !== undefined) process.env.AGENTOPS_API_KEY = previous;
    logs.restore();
  }
  expect(logs.lines.filter((l) => l.includes('no API key'))).toHaveLength(1);
  expect((await server.get<{ total: number }>('/v2/sessions')).body.total).toBe(before.body.total);
});

it('without an API key or with a refused one, the summary counts every event and prices it', async () => {
  const previous = process.env.AGENTOPS_API_KEY;
  delete process.env.AGENTOPS_API_KEY;
  const logs = captureConsole();
  const results: agentops.SessionAnalytics[] = [];
  try {
    for (const apiKey of [undefined, 'refused-key']) {
      const session = agentops.init({ apiKey, endpoint: server.url, handleExit: false, logLevel: 'info' });
      if (!session) throw new Error('no session');
      agentops.recordTool('lookup', () => 42)();
      session.record(new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 100, completionTokens: 10 }));
      session.record(new agentops.LLMEvent({ model: 'model-nobody-prices', promptTokens: 5, completionTokens: 5 }));
      session.record(new agentops.LLMEvent({ model: 'model-nobody-prices', promptTokens: 5, completionTokens: 5 }));
      await session.endSession('Success');
      results.push(await session.getAnalytics());
      await agentops.shutdown();
    }
  } finally {
    if (previous !== undefined) process.env.AGENTOPS_API_KEY = previous;
    logs.restore();
  }
  for (const r of results) expect(r).toMatchObject({ llmCalls: 3, toolCalls: 1, cost: '0.000350' });
  const summaries = logs.lines.filter((l) => l.includes('ended Success'));
  expect(summaries).toHaveLength(2);
  for (const line of summaries) expect(line).toContain('cost $0.000350, 3 LLM calls, 1 tool call');
  // Said once per model and exporter or tally: once without a key, once with the refused one.
  expect(logs.lines.filter((l) => l.includes('no price is known for model "model-nobody-prices"'))).toHaveLength(2);
});

it('init({ inheritedSessionId }) joins that session', async () => {
  const owner = agentops.init(base());
  const id = owner?.id as string;
  await agentops.flush();
  await agentops.shutdown();
  const joined = agentops.init({ ...base(), inheritedSessionId: id });
  expect(joined?.id).toBe(id);
  expect(joined?.inherited).toBe(true);
  joined?.record(new agentops.ToolEvent({ name: 'from-second-init' }));
  await joined?.detach();
  const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
  expect(exported.tools.map((t) => t.name)).toEqual(['from-second-init']);
  expect(exported.session.end_state).toBe('Indeterminate'); // ended by the first shutdown, not by the joined part
});

it("the exporter's own HTTP calls run with tracing suppressed", async () => {
  // The exporter talks through Node's http module (its keep-alive transport).
  const seen: boolean[] = [];
  const realRequest = http.request;
  vi.spyOn(http, 'request').mockImplementation(((...args: Parameters<typeof http.request>) => {
    seen.push(isTracingSuppressed(context.active()));
    return realRequest(...args);
  }) as typeof http.request);
  const session = agentops.init(base());
  session?.record(new agentops.ActionEvent({ actionType: 'a' }));
  await session?.endSession('Success');
  expect(seen.length).toBeGreaterThanOrEqual(3);
  expect(seen.every(Boolean)).toBe(true);
});

it('otlp: also exports every span as OTLP/HTTP, carrying agentops.session.id', async () => {
  // The local server's OTLP receiver is a real OTLP/HTTP endpoint: send there, with no AgentOps key.
  const previous = process.env.AGENTOPS_API_KEY;
  delete process.env.AGENTOPS_API_KEY;
  try {
    const session = agentops.init({
      endpoint: server.url,
      handleExit: false,
      logLevel: 'silent',
      otlp: { url: `${server.url}/v1/traces`, headers: { 'x-agentops-api-key': server.apiKey } },
    });
    session?.record(new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 100, completionTokens: 10 }));
    await session?.endSession('Failure', 'via otlp');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session?.id}/export`)).body;
    expect(exported.session).toMatchObject({
      session_id: session?.id,
      end_state: 'Fail',
      end_state_reason: 'via otlp',
    });
    expect(exported.llms).toHaveLength(1);
    expect(exported.llms[0]).toMatchObject({ model: 'gpt-4o', prompt_tokens: 100 });
  } finally {
    if (previous !== undefined) process.env.AGENTOPS_API_KEY = previous;
  }
});

it('otlp: true follows the standard OTEL_EXPORTER_OTLP_* variables', async () => {
  const app = fileURLToPath(new URL('./fixtures/otlp-env-app.mjs', import.meta.url));
  const r = await runNode(app, [], {
    AGENTOPS_API_KEY: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${server.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_HEADERS: `x-agentops-api-key=${server.apiKey}`,
  });
  expect(r.code, r.stderr).toBe(0);
  const id = /SESSION (\S+)/.exec(r.stdout)?.[1];
  const exported = (await server.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
  expect(exported.session).toMatchObject({ session_id: id, end_state: 'Success', tags: ['otlp-env'] });
  expect(exported.tools.map((t) => t.name)).toEqual(['via-env']);
});
