/**
 * The server's side of the mask (issue 27): a team's rules (`--mask-file`, `ServerOptions.mask`)
 * applied at ingest on every path before anything is stored, for clients the team does not control
 * (an AgentOps Python client on v2, OTLP from a Collector, v4 uploads); and the merge rule of a
 * session's fields, by which a later update that removes a value clears what was stored.
 */
import { randomUUID } from 'node:crypto';
import type { SessionExport } from '@agentops/exporter';
import { traceIdToSessionId } from '@agentops/exporter';
import { SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storedText } from './helpers/stored-text.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const canaries = new Set<string>();
const secret = (where: string) => {
  const canary = `sk-canary-${where}`;
  canaries.add(canary);
  return canary;
};
const quoted = (where: string) => {
  const canary = `hunter2${where}`;
  canaries.add(canary);
  return canary;
};

const RULES = [
  { match: 'user_id', action: 'drop' as const },
  { pattern: 'password="[^"]*"', action: 'redact' as const },
  { pattern: 'sk-canary-[0-9a-z]+', action: 'redact' as const },
];

const NOW = '2026-12-04T12:00:00.000Z';

async function post(s: TestServer, path: string, body: unknown, headers: Record<string, string>) {
  const res = await s.post<{ jwt?: string }>(path, body, headers);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** What an AgentOps Python client sends over v2, with a secret in every field it can carry. */
async function pythonClientSession(s: TestServer): Promise<string> {
  const id = randomUUID();
  const key = { 'x-agentops-api-key': s.apiKey };
  const session = {
    session_id: id,
    init_timestamp: NOW,
    tags: ['py', secret('tag')],
    host_env: { OS: { OS: 'Linux' }, Args: ['python', `--token=${secret('hostargs')}`] },
    user_id: secret('userid'),
  };
  const { jwt } = await post(s, '/v2/create_session', { session }, key);
  const bearer = { authorization: `Bearer ${jwt}` };
  await post(
    s,
    '/v2/create_events',
    {
      events: [
        {
          id: randomUUID(),
          event_type: 'llms',
          init_timestamp: NOW,
          end_timestamp: NOW,
          model: 'gpt-4o',
          prompt: [{ role: 'user', content: `use ${secret('prompt')} and password="${quoted('prompt')}"` }],
          completion: { role: 'assistant', content: `ok ${secret('completion')}` },
          prompt_tokens: 3,
          completion_tokens: 2,
        },
        {
          id: randomUUID(),
          event_type: 'tools',
          init_timestamp: NOW,
          end_timestamp: NOW,
          name: 'login',
          params: { token: secret('toolparams') },
          returns: JSON.stringify({ note: `password="${quoted('toolreturns')}"` }),
        },
        {
          id: randomUUID(),
          event_type: 'errors',
          init_timestamp: NOW,
          end_timestamp: NOW,
          error_type: 'Vault',
          details: `refused ${secret('errordetails')}`,
        },
      ],
    },
    bearer,
  );
  await post(
    s,
    '/v2/create_evaluations',
    { evaluations: [{ name: 'judge', score: 1, label: secret('evallabel') }] },
    bearer,
  );
  await post(
    s,
    '/v2/update_session',
    { session: { ...session, end_timestamp: NOW, end_state: 'Fail', end_state_reason: secret('endreason') } },
    bearer,
  );
  await post(
    s,
    `/v2/sessions/${id}/evaluations`,
    { evaluations: [{ name: 'feedback', score: 0, explanation: secret('feedback') }] },
    key,
  );
  return id;
}

/** What a Collector forwards over OTLP: a failed span whose only error text is its status message. */
async function otlpFromCollector(s: TestServer): Promise<string> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'process.command_args': ['node', `--key=${secret('otlpargv')}`] }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const span = provider.getTracer('collector').startSpan('error Vault', {
    attributes: { 'agentops.event.type': 'errors', 'error.type': 'Vault' },
  });
  const id = traceIdToSessionId(span.spanContext().traceId);
  span.setAttribute('agentops.session.id', id);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `vault refused ${secret('otlpstatus')}` });
  span.end();
  const tool = provider.getTracer('collector').startSpan('execute_tool lookup', {
    attributes: {
      'agentops.session.id': id,
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup',
      'gen_ai.tool.call.arguments': JSON.stringify({ auth: `password="${quoted('otlpargs')}"` }),
    },
  });
  tool.end();
  const res = await fetch(`${s.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': s.apiKey },
    body: JsonTraceSerializer.serializeRequest(memory.getFinishedSpans()),
  });
  expect(res.status).toBe(200);
  await provider.shutdown();
  return id;
}

async function upload(s: TestServer, sessionId: string): Promise<string> {
  const traceId = BigInt(`0x${sessionId.replaceAll('-', '')}`).toString();
  const res = await fetch(`${s.url}/v4/logs/upload/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': s.apiKey, 'trace-id': traceId },
    body: JSON.stringify({ body: `INFO token ${secret('logs')}\nINFO password="${quoted('logs')}"\n` }),
  });
  expect(res.status).toBe(200);
  const { url } = (await res.json()) as { url: string };
  return (await fetch(url, { headers: { 'x-agentops-api-key': s.apiKey } })).text();
}

describe('masking at ingest (--mask-file)', () => {
  it('v2, OTLP, evaluations and uploads are masked before anything is stored', async () => {
    server = await startTestServer({ mask: RULES });
    const v2 = await pythonClientSession(server);
    const otlp = await otlpFromCollector(server);
    const logs = await upload(server, v2);

    const stored = await storedText(server.store);
    expect([...canaries].filter((c) => stored.includes(c))).toEqual([]);

    // What was masked is still there, masked; what was not secret is untouched.
    expect(logs).toBe('INFO token [REDACTED]\nINFO [REDACTED]\n');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${v2}/export`)).body;
    expect(exported.session).toMatchObject({
      tags: ['py', '[REDACTED]'],
      user_id: null,
      end_state: 'Fail',
      end_state_reason: '[REDACTED]',
    });
    expect(exported.session.host_env).toMatchObject({ Args: ['python', '--token=[REDACTED]'] });
    expect(exported.llms[0]).toMatchObject({
      prompt: [{ role: 'user', content: 'use [REDACTED] and [REDACTED]' }],
      completion: { role: 'assistant', content: 'ok [REDACTED]' },
      prompt_tokens: 3,
    });
    expect(exported.tools[0]).toMatchObject({ name: 'login', params: { token: '[REDACTED]' } });
    expect(exported.errors[0]).toMatchObject({ error_type: 'Vault', details: 'refused [REDACTED]' });
    expect(exported.evaluations?.map((e) => [e.name, e.label, e.explanation])).toEqual(
      expect.arrayContaining([
        ['judge', '[REDACTED]', null],
        ['feedback', null, '[REDACTED]'],
      ]),
    );
    const fromOtlp = (await server.get<SessionExport>(`/v2/sessions/${otlp}/export`)).body;
    expect(fromOtlp.errors[0]).toMatchObject({ error_type: 'Vault', details: 'vault refused [REDACTED]' });
    expect(fromOtlp.tools[0]).toMatchObject({ name: 'lookup' });
  });

  it('without a mask the same traffic is stored as sent (the test above is not vacuous)', async () => {
    server = await startTestServer();
    await pythonClientSession(server);
    await otlpFromCollector(server);
    const stored = await storedText(server.store);
    expect(stored).toContain(secret('userid'));
    expect(stored).toContain(quoted('prompt'));
    expect(stored).toContain(secret('otlpstatus'));
  });

  it('rules that are not rules are refused at start, saying which and why', async () => {
    await expect(startTestServer({ mask: [{ pattern: '(', action: 'redact' }] })).rejects.toThrow(
      /mask rule 0: a rule's pattern "\(" is not a RegExp/,
    );
  });
});

describe("a session's fields as updates change them", () => {
  it('a value given replaces, null clears (a later masked update removes a raw value), absent keeps', async () => {
    server = await startTestServer();
    const id = randomUUID();
    const key = { 'x-agentops-api-key': server.apiKey };
    const base = { session_id: id, init_timestamp: NOW };
    const { jwt } = await post(
      server,
      '/v2/create_session',
      { session: { ...base, user_id: 'ada', environment: 'prod', release: '1.2', tags: ['a'] } },
      key,
    );
    const bearer = { authorization: `Bearer ${jwt}` };
    const session = async () => (await server?.get<SessionExport>(`/v2/sessions/${id}/export`))?.body.session;

    await post(server, '/v2/update_session', { session: { ...base, user_id: null, release: '1.3' } }, bearer);
    expect(await session()).toMatchObject({ user_id: null, environment: 'prod', release: '1.3', tags: ['a'] });

    await post(
      server,
      '/v2/update_session',
      { session: { ...base, end_timestamp: NOW, end_state: 'Success', end_state_reason: 'done' } },
      bearer,
    );
    // A late update without an end (an announce that arrived last) does not reopen the session.
    await post(server, '/v2/update_session', { session: { ...base, tags: ['b'] } }, bearer);
    expect(await session()).toMatchObject({
      end_state: 'Success',
      end_state_reason: 'done',
      environment: 'prod',
      tags: ['b'],
    });
  });
});
