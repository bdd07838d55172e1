/**
 * `@anthropic-ai/claude-agent-sdk` recorded with no code. Its `query()` runs Claude Code in a child
 * process, and Claude Code traces itself (its enhanced telemetry: a turn is an `invoke_agent` span,
 * each model request a span with its model and tokens, each tool an `execute_tool` span), under the
 * trace context the Agent SDK hands it in `TRACEPARENT` (from the active OpenTelemetry context). So
 * the child is a second process of the session, as a service called with `traceparent` headers is:
 * when a Claude Code child starts, its environment gets the switches that turn those traces on and
 * send them as OTLP to AgentOps (`{endpoint}/v1/traces`, the project's API key), and, when the call
 * was made outside any session's context, the trace context of the session new work joins. The
 * exporter maps Claude Code's spans (conventions/claude-code.ts); its cost is priced from its tokens.
 * The endpoint must take OTLP with the API key, as AgentOps' server does (`agentops-server`); not
 * yet AgentOps' cloud, whose OTLP endpoint wants a token Claude Code cannot get.
 *
 * Found where it starts: the Agent SDK spawns Claude Code with `child_process.spawn`, which this
 * wraps (and `module.syncBuiltinESMExports()` hands to ES module importers of it); any other spawn
 * passes untouched. Left alone when the app configures Claude Code's telemetry itself, when there
 * is no API key, and when a mask is set: the child's spans go to AgentOps from the child, where the
 * mask cannot reach them (said once).
 */
import type * as childProcess from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { DEFAULT_ENDPOINT, type Logger } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import { type Context, propagation } from '@opentelemetry/api';
import { resolveForApp } from '../optional-require.js';

export const CLAUDE_AGENT_SDK = '@anthropic-ai/claude-agent-sdk';

export interface ClaudeAgentSdkHost {
  endpoint: string;
  apiKey: string | undefined;
  captureContent: boolean;
  /** Whether a mask is set (the child's spans would not pass it). */
  masked: boolean;
  logger: Logger;
  /** The context of the session new work joins, if any (the active one, or the one open session). */
  joinContext(): Context | undefined;
}

type Spawn = typeof childProcess.spawn;

/** The environment a Claude Code child needs to send its traces to AgentOps. */
export function claudeCodeTelemetryEnv(host: Pick<ClaudeAgentSdkHost, 'endpoint' | 'apiKey' | 'captureContent'>) {
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${host.endpoint.replace(/\/+$/, '')}/v1/traces`,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-agentops-api-key=${host.apiKey ?? ''}`,
  };
  // The turn's prompt on its span (Claude Code redacts it otherwise).
  if (host.captureContent) env.OTEL_LOG_USER_PROMPTS = '1';
  return env;
}

/** Whether a spawn starts Claude Code for the Agent SDK (its binary or its script, speaking stream-json). */
export function isClaudeCodeSpawn(command: unknown, args: unknown): boolean {
  if (typeof command !== 'string' || !Array.isArray(args)) return false;
  const line = [command, ...args.filter((a) => typeof a === 'string')].join(' ');
  return /claude-agent-sdk|claude-code/.test(line) && args.includes('stream-json');
}

/** Whether the app set Claude Code's telemetry up itself, for this child. */
function configuredByApp(env: NodeJS.ProcessEnv): boolean {
  return env.CLAUDE_CODE_ENABLE_TELEMETRY !== undefined || env.OTEL_TRACES_EXPORTER !== undefined;
}

/** Turns the integration on when the Agent SDK is installed; returns what turns it off. */
export function enableClaudeAgentSdk(host: ClaudeAgentSdkHost): () => void {
  if (!resolveForApp(`${CLAUDE_AGENT_SDK}/package.json`) && !resolveForApp(CLAUDE_AGENT_SDK)) return () => {};
  if (!host.apiKey) {
    host.logger.debug(`${CLAUDE_AGENT_SDK}: no API key, so Claude Code's own traces are not sent`);
    return () => {};
  }
  if (host.endpoint.replace(/\/+$/, '') === DEFAULT_ENDPOINT) {
    // AgentOps' cloud takes OTLP at another address, with a token Claude Code cannot get.
    host.logger.debug(
      `${CLAUDE_AGENT_SDK}: Claude Code's own traces go to an AgentOps server only (not the cloud yet)`,
    );
    return () => {};
  }
  if (host.masked) {
    host.logger.info(
      `${CLAUDE_AGENT_SDK}: runs are not recorded while a mask is set: Claude Code sends its spans from its own process, which the mask cannot reach.`,
    );
    return () => {};
  }
  return wrapClaudeCodeSpawns(host);
}

/**
 * Gives each Claude Code child the environment that sends its traces to AgentOps (see above);
 * returns what puts `child_process.spawn` back.
 */
export function wrapClaudeCodeSpawns(host: ClaudeAgentSdkHost): () => void {
  const cp = createRequire(import.meta.url)('node:child_process') as typeof childProcess;
  const original: Spawn = cp.spawn;
  const ours = claudeCodeTelemetryEnv(host);
  const wrapped = function spawn(this: unknown, ...args: unknown[]) {
    try {
      const [command, argv, options] = args as [unknown, unknown, childProcess.SpawnOptions | undefined];
      if (isClaudeCodeSpawn(command, argv)) {
        const env = { ...(options?.env ?? process.env) };
        if (!configuredByApp(env)) {
          Object.assign(env, ours);
          // Called outside any session's context: the session new work joins is the parent.
          if (env.TRACEPARENT === undefined) {
            const carrier: Record<string, string> = {};
            const ctx = host.joinContext();
            if (ctx) propagation.inject(ctx, carrier);
            for (const [key, value] of Object.entries(carrier)) env[key.toUpperCase()] ??= value;
          }
          args[2] = { ...options, env };
        }
      }
    } catch (err) {
      host.logger.debug(`${CLAUDE_AGENT_SDK}: Claude Code started untraced (${errorText(err)})`);
    }
    return Reflect.apply(original, this, args);
  } as Spawn;
  cp.spawn = wrapped;
  syncBuiltinESMExports();
  host.logger.debug(`${CLAUDE_AGENT_SDK}: Claude Code's traces go to ${ours.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}`);
  return () => {
    if (cp.spawn === wrapped) {
      cp.spawn = original;
      syncBuiltinESMExports();
    }
  };
}
