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

/** Every canary the app was given. */
const canaries = new Set<string>();
/**
 * The secret put in the value named `where`: each value its own, so a leak says which value leaked.
 * Every one matches the pattern rule `sk-canary-[0-9a-z]+`.
 */
const secret = (where: string) => remember(`sk-canary-${where}`);
/** A secret only a rule with a quote in it finds: in `password="..."` as the app wrote it. */
const quoted = (where: string) => remember(`hunter2${where}`);
function remember(canary: string): string {
  canaries.add(canary);
  return canary;
}

type Mode = 'redact' | 'hash' | 'drop' | 'throwing fn';

function maskFor(mode: Mode): agentops.MaskOption {
  if (mode === 'throwing fn') {
    return {
      fn: (value) => {
        if (/sk-canary-|hunter2/.test(value)) throw new Error('mask bug');
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
  process.argv = [...argv, `--token=${secret('argv')}`];
  process.env.OTEL_RESOURCE_ATTRIBUTES = `deploy.secret=${secret('resourceenv')},deploy.name=checkout`;
  let session: agentops.Session | undefined;
  try {
    session = agentops.init({
      apiKey: r.agentopsServer.apiKey,
      endpoint: r.agentopsProxy.url,
      protocol,
      exporterEndpoint: `${r.agentopsProxy.url}/v1/traces`,
      otlp: { url: `${r.otlpProxy.url}/v1/traces`, headers: { 'x-agentops-api-key': r.otlpServer.apiKey } },
      tags: ['checkout', `tag-${secret('tag')}`],
      userId: `user-${secret('userid')}`,
      environment: `env-${secret('environment')}`,
      release: `rel-${secret('release')}`,
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
  // As a long session is: announced (create_session) and updated (update_session) while it runs.
  const sent = (path: string) => r.agentopsProxy.requests.some((q) => q.path === path);
  if (protocol === 'v2') await until(() => sent('/v2/create_session'));
  session.addTags([`late-${secret('addedtag')}`]);
  if (protocol === 'v2') await until(() => sent('/v2/update_session'));

  session.record(
    new agentops.LLMEvent({
      model: 'gpt-4o',
      prompt: [{ role: 'user', content: `deploy with ${secret('prompt')} and password="${quoted('prompt')}"` }],
      completion: { role: 'assistant', content: `done with ${secret('completion')}` },
      promptTokens: 10,
      completionTokens: 5,
    }),
  );
  const login = agentops.recordTool('login', (token: string, note: string) => ({
    session: `${token}-ok`,
    note,
    key: secret('toolresult'),
  }));
  login(secret('toolarg'), `password="${quoted('toolarg')}"`);
  const rotate = agentops.recordAction('rotate', () => {
    throw new Error(`could not rotate ${secret('actionerror')} with password="${quoted('actionerror')}"`);
  });
  expect(() => rotate()).toThrow('could not rotate');
  const search = agentops.recordTool('search', async () => {
    throw new TypeError(`upstream refused ${secret('toolerror')}`);
  });
  await expect(search()).rejects.toThrow('upstream refused');
  session.record(
    new agentops.ErrorEvent({ errorType: 'Vault', code: 'E_VAULT', details: `vault said ${secret('errordetails')}` }),
  );

  // The app's own span, in a context whose baggage the app propagates to its own services.
  let propagated = '';
  const inSession = session.context();
  const baggage = (propagation.getBaggage(inSession) ?? propagation.createBaggage()).setEntry('app.secret', {
    value: secret('baggage'),
  });
  context.with(propagation.setBaggage(inSession, baggage), () => {
    const tracer = trace.getTracer('app');
    const linked = tracer.startSpan('warmup');
    linked.end();
    const attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup',
      'gen_ai.tool.call.arguments': JSON.stringify({
        query: `find ${secret('spanattr')}`,
        auth: `password="${quoted('spanattr')}"`,
      }),
    };
    const links = [{ context: linked.spanContext(), attributes: { why: `retry of ${secret('link')}` } }];
    tracer.startActiveSpan('execute_tool lookup', { attributes, links }, (span) => {
      span.addEvent('note', { text: `saw ${secret('spanevent')}` });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `lookup failed: ${secret('status')}` });
      propagated = agentops.injectHeaders().baggage ?? '';
      span.end();
    });
  });

  expect(
    await session.evaluate({
      name: 'judge',
      score: 1,
      label: `label-${secret('evallabel')}`,
      explanation: `as ${secret('evalexplanation')}`,
    }),
  ).toBe(true);
  await session.endSession('Failure', `ended over ${secret('endreason')}`);
  // After the end: through the API, past the session's pipeline.
  expect(
    await session.evaluate({
      name: 'late',
      score: 0.5,
      label: `late-${secret('latelabel')}`,
      explanation: secret('lateexplanation'),
    }),
  ).toBe(true);
  expect(
    await agentops.evaluateSession(session.id, {
      name: 'feedback',
      score: 1,
      explanation: `from ${secret('feedback')}`,
    }),
  ).toBe(true);
  await agentops.shutdown();
  return { id: session.id, propagated };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

/** Each canary found in what went over the wire or was stored, with where: `canary @ place`. */
async function leaks(r: Run): Promise<string[]> {
  const found = new Set<string>();
  const search = (text: string, place: string) => {
    for (const canary of canaries) if (text.includes(canary)) found.add(`${canary} @ ${place}`);
  };
  for (const [name, proxy] of [
    ['to AgentOps', r.agentopsProxy],
    ['to the OTLP export', r.otlpProxy],
  ] as const) {
    for (const req of proxy.requests) {
      const path = req.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':id');
      search(`${req.head}\n${req.body.toString('latin1')}`, `${name} ${req.method} ${path}`);
    }
  }
  search(await storedText(r.agentopsServer.store), 'stored by AgentOps');
  search(await storedText(r.otlpServer.store), 'stored by the OTLP receiver');
  return [...found].sort();
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
      expect(decodeURIComponent(propagated)).toContain(`app.secret=${secret('baggage')}`);
    },
  );
});
