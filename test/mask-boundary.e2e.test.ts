/**
 * The mask is one boundary that nothing passes (issue 27). A canary secret is put in every value an
 * app can set: tags (at start and added later), user, environment and release, prompts and
 * completions (also in a quoted form that only a rule with a `"` in it catches), tool and action
 * arguments and results, errors recorded and thrown in wrappers, a span's status message, span
 * events and links, evaluations during the session and after its end (`session.evaluate`,
 * `evaluateSession`), the end state's reason, `process.argv`, `OTEL_RESOURCE_ATTRIBUTES` and the
 * baggage the app propagates. The session runs under `redact`, `hash`, `drop` and a throwing mask
 * function, over both AgentOps protocols (REST v2 and `protocol: 'otlp'`) with the plain `otlp`
 * export beside it, through recording proxies in front of the real server and of a second server
 * taking the OTLP export. Then the canary is searched in every byte that went over the wire and in
 * every row both servers stored (SQLite, or PostgreSQL under `pnpm test:postgres`).
 */
import type { SessionExport } from '@agentops/exporter';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import * as agentops from 'agentops';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { resetOtelGlobals } from './helpers/otel.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storedText } from './helpers/stored-text.js';

/** The secret every pattern rule names. */
const SECRET = 'sk-canary-5v8b2n7m';
/** A secret only a rule with a quote in it finds: `password="..."` as the app wrote it. */
const QUOTED = 'hunter2-canary-q';
const CANARIES = [SECRET, QUOTED];

type Mode = 'redact' | 'hash' | 'drop' | 'throwing fn';

function maskFor(mode: Mode): agentops.MaskOption {
  if (mode === 'throwing fn') {
    return {
      fn: (value) => {
        if (CANARIES.some((c) => value.includes(c))) throw new Error('mask bug');
        return value;
      },
    };
  }
  return [
    { match: /password="[^"]*"/, action: mode },
    { match: /sk-canary-[0-9a-z]+/, action: mode },
  ];
}

interface Run {
  agentopsServer: TestServer;
  otlpServer: TestServer;
  agentopsProxy: FaultProxy;
  otlpProxy: FaultProxy;
}

let run: Run | undefined;

afterEach(async () => {
  await agentops.shutdown();
  resetOtelGlobals();
  if (!run) return;
  await Promise.all([run.agentopsProxy.close(), run.otlpProxy.close()]);
  await Promise.all([run.agentopsServer.stop(), run.otlpServer.stop()]);
  run = undefined;
});

async function start(): Promise<Run> {
  const [agentopsServer, otlpServer] = await Promise.all([startTestServer(), startTestServer()]);
  const [agentopsProxy, otlpProxy] = await Promise.all([
    startFaultProxy(agentopsServer.url),
    startFaultProxy(otlpServer.url),
  ]);
  run = { agentopsServer, otlpServer, agentopsProxy, otlpProxy };
  return run;
}

/** Everything the app does with the canary in it, start to end, and after the end. */
async function app(r: Run, mode: Mode, protocol: 'v2' | 'otlp'): Promise<{ id: string; propagated: string }> {
  const argv = process.argv;
  const resourceAttributes = process.env.OTEL_RESOURCE_ATTRIBUTES;
  process.argv = [...argv, `--token=${SECRET}`];
  process.env.OTEL_RESOURCE_ATTRIBUTES = `deploy.secret=${SECRET},deploy.name=checkout`;
  let session: agentops.Session | undefined;
  try {
    session = agentops.init({
      apiKey: r.agentopsServer.apiKey,
      endpoint: r.agentopsProxy.url,
      protocol,
      exporterEndpoint: `${r.agentopsProxy.url}/v1/traces`,
      otlp: { url: `${r.otlpProxy.url}/v1/traces`, headers: { 'x-agentops-api-key': r.otlpServer.apiKey } },
      tags: ['checkout', `tag-${SECRET}`],
      userId: `user-${SECRET}`,
      environment: `env-${SECRET}`,
      release: `rel-${SECRET}`,
      mask: maskFor(mode),
      logLevel: 'silent',
      handleExit: false,
      maxWaitTime: 50,
      instrumentLlmCalls: false,
    });
  } finally {
    process.argv = argv;
    if (resourceAttributes === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    else process.env.OTEL_RESOURCE_ATTRIBUTES = resourceAttributes;
  }
  if (!session) throw new Error('no session');
  session.addTags([`late-${SECRET}`]);

  session.record(
    new agentops.LLMEvent({
      model: 'gpt-4o',
      prompt: [{ role: 'user', content: `deploy with ${SECRET} and password="${QUOTED}"` }],
      completion: { role: 'assistant', content: `done with ${SECRET}` },
      promptTokens: 10,
      completionTokens: 5,
    }),
  );
  const login = agentops.recordTool('login', (token: string, note: string) => ({ session: `${token}-ok`, note }));
  login(SECRET, `password="${QUOTED}"`);
  const rotate = agentops.recordAction('rotate', () => {
    throw new Error(`could not rotate ${SECRET} with password="${QUOTED}"`);
  });
  expect(() => rotate()).toThrow(SECRET);
  const search = agentops.recordTool('search', async () => {
    throw new TypeError(`upstream refused ${SECRET}`);
  });
  await expect(search()).rejects.toThrow(SECRET);
  session.record(new agentops.ErrorEvent({ errorType: 'Vault', code: 'E_VAULT', details: `vault said ${SECRET}` }));

  // The app's own span, in a context whose baggage the app propagates to its own services.
  let propagated = '';
  const inSession = session.context();
  const baggage = (propagation.getBaggage(inSession) ?? propagation.createBaggage()).setEntry('app.secret', {
    value: SECRET,
  });
  context.with(propagation.setBaggage(inSession, baggage), () => {
    const tracer = trace.getTracer('app');
    const linked = tracer.startSpan('warmup');
    linked.end();
    const attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup',
      'gen_ai.tool.call.arguments': JSON.stringify({ query: `find ${SECRET}`, auth: `password="${QUOTED}"` }),
    };
    const links = [{ context: linked.spanContext(), attributes: { why: `retry of ${SECRET}` } }];
    tracer.startActiveSpan('execute_tool lookup', { attributes, links }, (span) => {
      span.addEvent('note', { text: `saw ${SECRET}` });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `lookup failed: ${SECRET}` });
      propagated = agentops.injectHeaders().baggage ?? '';
      span.end();
    });
  });

  expect(
    await session.evaluate({ name: 'judge', score: 1, label: `label-${SECRET}`, explanation: `as ${SECRET}` }),
  ).toBe(true);
  await session.endSession('Failure', `ended over ${SECRET}`);
  // After the end: through the API, past the session's pipeline.
  expect(await session.evaluate({ name: 'late', score: 0.5, label: `late-${SECRET}`, explanation: SECRET })).toBe(true);
  expect(
    await agentops.evaluateSession(session.id, { name: 'feedback', score: 1, explanation: `from ${SECRET}` }),
  ).toBe(true);
  await agentops.shutdown();
  return { id: session.id, propagated };
}

/** The canaries found in what went over the wire or was stored, with where. */
async function leaks(r: Run): Promise<string[]> {
  const found: string[] = [];
  for (const [name, proxy] of [
    ['to AgentOps', r.agentopsProxy],
    ['to the OTLP export', r.otlpProxy],
  ] as const) {
    for (const req of proxy.requests) {
      for (const canary of CANARIES) {
        if (req.head.includes(canary) || req.body.includes(canary))
          found.push(`${name}: ${req.method} ${req.path} has ${canary}`);
      }
    }
  }
  for (const [name, server] of [
    ['AgentOps', r.agentopsServer],
    ['the OTLP receiver', r.otlpServer],
  ] as const) {
    const stored = await storedText(server.store);
    for (const canary of CANARIES) if (stored.includes(canary)) found.push(`stored by ${name}: ${canary}`);
  }
  return found;
}

/** The session once the server has its end, its three tools and (AgentOps) its three evaluations. */
async function exportedWhenComplete(server: TestServer, id: string, evaluations: number): Promise<SessionExport> {
  let exported: SessionExport | undefined;
  for (let i = 0; i < 200; i++) {
    const res = await server.get<SessionExport>(`/v2/sessions/${id}/export`);
    if (res.status === 200) {
      exported = res.body;
      const complete =
        exported.session.end_state && exported.tools.length >= 3 && (exported.evaluations ?? []).length >= evaluations;
      if (complete) return exported;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`session ${id} did not arrive whole: ${JSON.stringify(exported)}`);
}

describe.each(['v2', 'otlp'] as const)('protocol %s, with the OTLP export', (protocol) => {
  it.each(['redact', 'hash', 'drop', 'throwing fn'] as const)(
    'under %s: the canary is nowhere on the wire or in either store, and the session is all there',
    async (mode) => {
      const r = await start();
      const { id, propagated } = await app(r, mode, protocol);
      const stored = await exportedWhenComplete(r.agentopsServer, id, 3);
      const otlp = await exportedWhenComplete(r.otlpServer, id, 0);

      expect(await leaks(r)).toEqual([]);

      // Not vacuous: what was not secret arrived on both paths, over the wire.
      expect(r.agentopsProxy.requests.length).toBeGreaterThan(2);
      expect(r.otlpProxy.requests.some((q) => q.path === '/v1/traces')).toBe(true);
      for (const exported of [stored, otlp]) {
        expect(exported.llms).toHaveLength(1);
        expect(exported.llms[0]).toMatchObject({ model: 'gpt-4o', prompt_tokens: 10, completion_tokens: 5 });
        expect(exported.tools.map((t) => t.name).sort()).toEqual(['login', 'lookup', 'search']);
        expect(exported.session.end_state).toBe('Fail');
      }
      expect(stored.stats).toMatchObject({ llm_calls: 1, tool_calls: 3 });
      expect(stored.session.tags).toContain('checkout');
      expect((stored.evaluations ?? []).map((e) => e.name).sort()).toEqual(['feedback', 'judge', 'late']);
      if (mode === 'redact') {
        expect(stored.session.tags).toEqual(['checkout', 'tag-[REDACTED]', 'late-[REDACTED]']);
        expect(stored.session.end_state_reason).toBe('ended over [REDACTED]');
        expect(stored.llms[0]?.prompt).toEqual([{ role: 'user', content: 'deploy with [REDACTED] and [REDACTED]' }]);
      }
      // The app's own propagation is the app's: its baggage still goes to its own services.
      expect(decodeURIComponent(propagated)).toContain(`app.secret=${SECRET}`);
    },
  );
});
