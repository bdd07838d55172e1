/** The Claude Code children of the Claude Agent SDK get the environment that sends their traces to AgentOps. */
import * as childProcess from 'node:child_process';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClaudeAgentSdkHost,
  enableClaudeAgentSdk,
  isClaudeCodeSpawn,
  wrapClaudeCodeSpawns,
} from '../src/integrations/claude-agent-sdk.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const session = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
});
const host = (over: Partial<ClaudeAgentSdkHost> = {}): ClaudeAgentSdkHost => ({
  endpoint: 'http://127.0.0.1:8787/',
  apiKey: 'key-1',
  captureContent: true,
  masked: false,
  logger,
  joinContext: () => session,
  ...over,
});

/** The environment a spawned `node` sees, started as the Agent SDK starts Claude Code (or not). */
function envOfChild(asClaudeCode: boolean, env?: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const script = 'process.stdout.write(JSON.stringify(process.env))';
  const args = asClaudeCode
    ? ['-e', script, '/app/node_modules/@anthropic-ai/claude-agent-sdk/cli.js', '--output-format', 'stream-json']
    : ['-e', script];
  return new Promise((resolve, reject) => {
    // Through the module's own export, as the Agent SDK's ES module import of it calls it.
    const child = childProcess.spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out) as Record<string, string>));
  });
}

let undo: (() => void) | undefined;
afterEach(() => {
  undo?.();
  undo = undefined;
});

describe('Claude Code children', () => {
  it('are told to send their traces to AgentOps, under the session new work joins', async () => {
    const { propagation } = await import('@opentelemetry/api');
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    undo = wrapClaudeCodeSpawns(host());
    const env = await envOfChild(true);
    expect(env).toMatchObject({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:8787/v1/traces',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-agentops-api-key=key-1',
      OTEL_LOG_USER_PROMPTS: '1',
      TRACEPARENT: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    // Any other child is left as it is.
    expect((await envOfChild(false)).OTEL_TRACES_EXPORTER).toBeUndefined();
    propagation.disable();
  });

  it("keep the trace context the Agent SDK gave them, and an app's own telemetry setup", async () => {
    undo = wrapClaudeCodeSpawns(host({ captureContent: false }));
    const given = await envOfChild(true, {
      ...process.env,
      TRACEPARENT: '00-11111111111111111111111111111111-2222222222222222-01',
    });
    expect(given.TRACEPARENT).toBe('00-11111111111111111111111111111111-2222222222222222-01');
    expect(given.OTEL_LOG_USER_PROMPTS).toBeUndefined();
    const own = await envOfChild(true, { ...process.env, OTEL_TRACES_EXPORTER: 'console' });
    expect(own.OTEL_TRACES_EXPORTER).toBe('console');
    expect(own.CLAUDE_CODE_ENABLE_TELEMETRY).toBeUndefined();
  });

  it('are left alone with a mask (said once), without a key, and once turned off', async () => {
    const said: string[] = [];
    const off = enableClaudeAgentSdk(host({ masked: true, logger: { ...logger, info: (m: string) => said.push(m) } }));
    expect((await envOfChild(true)).OTEL_TRACES_EXPORTER).toBeUndefined();
    off();
    // Whether the Agent SDK is installed where this test resolves it decides if it is said.
    expect(said.length).toBeLessThanOrEqual(1);
    if (said[0]) expect(said[0]).toMatch(/not recorded while a mask is set/);
    enableClaudeAgentSdk(host({ apiKey: undefined }))();
    expect((await envOfChild(true)).OTEL_TRACES_EXPORTER).toBeUndefined();
    wrapClaudeCodeSpawns(host())();
    expect((await envOfChild(true)).OTEL_TRACES_EXPORTER).toBeUndefined();
  });

  it('are told apart from other spawns by the Agent SDK in their command line and stream-json', () => {
    expect(
      isClaudeCodeSpawn('/x/node_modules/@anthropic-ai/claude-agent-sdk-linux-x64/claude', [
        '--output-format',
        'stream-json',
      ]),
    ).toBe(true);
    expect(isClaudeCodeSpawn('node', ['/x/claude-agent-sdk/cli.js', '--input-format', 'stream-json'])).toBe(true);
    expect(isClaudeCodeSpawn('/usr/bin/claude-agent-sdk-thing', ['--help'])).toBe(false);
    expect(isClaudeCodeSpawn('git', ['status'])).toBe(false);
    expect(isClaudeCodeSpawn(undefined, undefined)).toBe(false);
  });
});
