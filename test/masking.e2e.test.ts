/**
 * Masking end to end: secrets in prompts, completions, tool arguments and results and error
 * messages never leave the app, neither to AgentOps (the local server) nor through the OTLP export
 * (a second server, as an OTLP receiver); and one call or event can be recorded without content.
 */
import type { SessionExport } from '@agentops/exporter';
import * as agentops from 'agentops';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const SECRET = 'sk-live-9f8e7d6c5b4a3f2e1d0c';
let server: TestServer;
let otlpTarget: TestServer;

beforeAll(async () => {
  [server, otlpTarget] = await Promise.all([startTestServer(), startTestServer()]);
});
afterEach(async () => {
  await agentops.shutdown();
});
afterAll(async () => {
  await Promise.all([server.stop(), otlpTarget.stop()]);
});

function init(options: agentops.InitOptions) {
  const session = agentops.init({
    apiKey: server.apiKey,
    endpoint: server.url,
    logLevel: 'silent',
    handleExit: false,
    maxWaitTime: 50,
    instrumentLlmCalls: false,
    ...options,
  });
  if (!session) throw new Error('no session');
  return session;
}

/** What both servers hold of a session, as text. */
async function everywhere(id: string): Promise<{ agentops: SessionExport; otlp: SessionExport }> {
  const read = async (s: TestServer) => (await s.get<SessionExport>(`/v2/sessions/${id}/export`)).body;
  let otlp = await read(otlpTarget);
  for (let i = 0; i < 100 && !(otlp.llms?.length > 0 && otlp.tools?.length > 0); i++) {
    await new Promise((r) => setTimeout(r, 50));
    otlp = await read(otlpTarget);
  }
  return { agentops: await read(server), otlp };
}

describe('mask', () => {
  it('a pattern rule keeps a secret out of prompts, completions, tool arguments, results and errors, on every export', async () => {
    const session = init({
      mask: [{ match: /sk-live-[0-9a-z]+/, action: 'redact' }],
      otlp: { url: `${otlpTarget.url}/v1/traces`, headers: { 'x-agentops-api-key': otlpTarget.apiKey } },
    });
    session.record(
      new agentops.LLMEvent({
        model: 'gpt-4o',
        prompt: [{ role: 'user', content: `deploy with ${SECRET}` }],
        completion: { role: 'assistant', content: `done, used ${SECRET}` },
        promptTokens: 10,
        completionTokens: 5,
      }),
    );
    const login = agentops.recordTool('login', (token: string) => ({ session: `${token}-ok` }));
    login(SECRET);
    const fail = agentops.recordAction('rotate', () => {
      throw new Error(`could not rotate ${SECRET}`);
    });
    expect(() => fail()).toThrow(SECRET);
    await session.endSession('Success');

    const { agentops: stored, otlp } = await everywhere(session.id);
    for (const exported of [stored, otlp]) {
      expect(JSON.stringify(exported)).not.toContain(SECRET);
      expect(exported.llms[0]?.prompt).toEqual([{ role: 'user', content: 'deploy with [REDACTED]' }]);
      expect(exported.tools[0]).toMatchObject({
        name: 'login',
        params: '[REDACTED]',
        returns: { session: '[REDACTED]-ok' },
      });
      expect(exported.errors[0]?.details).toBe('could not rotate [REDACTED]');
    }
    // What was not secret is all there.
    expect(stored.stats).toMatchObject({ llm_calls: 1, tool_calls: 1, errors: 1, prompt_tokens: 10 });
  });

  it('a mask function that throws drops the content it was given, and the app goes on', async () => {
    const session = init({
      mask: {
        fn: (value) => {
          if (value.includes(SECRET)) throw new Error('mask bug');
          return value;
        },
      },
    });
    const lookup = agentops.recordTool('lookup', (q: string) => `${q}!`);
    expect(lookup(`find ${SECRET}`)).toBe(`find ${SECRET}!`);
    await session.endSession('Success');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
    expect(JSON.stringify(exported)).not.toContain(SECRET);
    expect(exported.tools[0]?.name).toBe('lookup');
    expect([exported.tools[0]?.params ?? null, exported.tools[0]?.returns ?? null]).toEqual([null, null]);
  });
});

describe('captureContent: false for one call or event', () => {
  it('the call and the event are recorded, without their content; the others keep theirs', async () => {
    const session = init({});
    const secretTool = agentops.recordTool('vault', (key: string) => ({ value: `${key}:${SECRET}` }), {
      captureContent: false,
    });
    const plainTool = agentops.recordTool('echo', (text: string) => text);
    secretTool('db');
    plainTool('hello');
    session.record(
      new agentops.LLMEvent({
        model: 'gpt-4o',
        prompt: SECRET,
        completion: SECRET,
        promptTokens: 3,
        captureContent: false,
      }),
    );
    await session.endSession('Success');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
    expect(JSON.stringify(exported)).not.toContain(SECRET);
    const byName = Object.fromEntries(exported.tools.map((t) => [t.name, t]));
    expect([byName.vault?.params ?? null, byName.vault?.returns ?? null]).toEqual([null, null]);
    expect(byName.echo).toMatchObject({ params: 'hello', returns: 'hello' });
    expect(exported.llms[0]).toMatchObject({ model: 'gpt-4o', prompt_tokens: 3, prompt: null, completion: null });
  });

  it('the method decorator takes the option too', async () => {
    const session = init({});
    // The decorator as TC39 decorators call it on a method.
    const decorate = agentops.recordTool('unseal', { captureContent: false });
    const unseal = decorate((key: string) => `${key}-${SECRET}`, {
      kind: 'method',
      name: 'unseal',
    } as ClassMethodDecoratorContext);
    expect(unseal('k')).toBe(`k-${SECRET}`);
    await session.endSession('Success');
    const exported = (await server.get<SessionExport>(`/v2/sessions/${session.id}/export`)).body;
    expect(exported.tools[0]?.name).toBe('unseal');
    expect([exported.tools[0]?.params ?? null, exported.tools[0]?.returns ?? null]).toEqual([null, null]);
  });
});
