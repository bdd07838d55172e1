/**
 * The LLM clients the SDK records with no code, one row each: the package, the versions recorded,
 * the instrumentation that records them and how it is built, and how the client is found when the
 * app loaded it before `init()` (the require cache for its CommonJS build; its ES module build,
 * beside that file, which an ES module app imports). The instrumentations are the well-kept ones:
 * the official `@opentelemetry/instrumentation-openai`, OpenLLMetry's for `@anthropic-ai/sdk`
 * (there is no official one), OpenInference's for LangChain.js and for
 * `@aws-sdk/client-bedrock-runtime` (the one that records the Converse API as well as InvokeModel,
 * streams included), and ours for `@google/genai`, which has no well-kept one. Their spans follow
 * the GenAI or the OpenInference conventions, which the exporter maps as they are. One loader
 * (client-loader.ts) runs every row.
 */
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { A2A_SDK, createA2AInstrumentation } from '../integrations/a2a.js';
import type { ProtocolHost } from '../integrations/boundary.js';
import { createMcpInstrumentation, MCP_SDK } from '../integrations/mcp.js';
import { optionalRequire } from '../optional-require.js';
import { smithyClientPatch } from '../replay/smithy.js';
import { createGoogleGenAIInstrumentation, GOOGLE_GENAI_MODULE } from './google-genai.js';
import { createMastraInstrumentation, MASTRA_OTEL_BRIDGE } from './mastra.js';
import { openAIUsageDetails } from './openai-usage.js';

type InstrumentationModule = typeof import('@opentelemetry/instrumentation');

/**
 * What a row builds: an OpenTelemetry instrumentation, whose patch of the client is taken from its
 * public `getModuleDefinitions()`, or, for one built on an older `InstrumentationBase` that has no
 * such method, a patcher of its own public entry points.
 */
export type RealInstrumentation =
  | {
      getModuleDefinitions(): unknown[];
      setTracerProvider?(provider: TracerProvider): void;
      setLoggerProvider?(provider: unknown): void;
      setMeterProvider?(provider: MeterProvider): void;
    }
  | Patcher;

export interface Patcher {
  patch(exports: unknown, version?: string): unknown;
  unpatch(exports: unknown, version?: string): unknown;
}

/**
 * What each row's `create` is given: the tracer provider, the content switch, the logger, and, for
 * the agent protocols (MCP, A2A), how a caller's session is carried and joined.
 */
export type CreateContext = ProtocolHost;

/** A module of a client that is patched: its file as the require hook names it, and its specifier. */
export interface ClientModule {
  hooked: string;
  specifier: string;
}

export interface ClientSpec {
  /** The client's npm package. */
  package: string;
  /**
   * The modules patched, when not the package's entry: each a file of it as the require hook names
   * it, and the public specifier that resolves to that file.
   */
  files?: readonly ClientModule[];
  /** The versions recorded: from `from` up to, not including, major `belowMajor`. */
  versions: { from: string; belowMajor: number };
  /** The package of the instrumentation that records it (named in the SDK's log lines). */
  instrumentation: string;
  /** Loads and builds that instrumentation, not enabled; undefined when it is not installed. */
  create(context: CreateContext): RealInstrumentation | undefined;
  /** Its ES module build, by the CommonJS file of the module patched. */
  esmOf?: (cjsFile: string) => string;
  /**
   * The require hook never sees this package (require-in-the-middle skips a package whose
   * package.json has no `main`): in a CommonJS app, init() loads the modules the app would load and
   * patches them, as it does a client's ES module build in an ES module app.
   */
  unseenByRequireHook?: true;
  /**
   * A patch of ours applied to each module before the instrumentation's, so beneath it: it reads
   * what the instrumentation leaves out (OpenAI's cached and reasoning tokens) on the call's span.
   */
  beneath?: Patcher;
  /**
   * A patch of ours applied after the instrumentation's, so around it: its calls run with what the
   * instrumentation's span needs beside it (Bedrock's: the call's HTTP exchange recorded or replayed).
   */
  around?: Patcher;
  /** From this major on, the client is recorded another way and left unpatched. */
  recordedOtherwise?: { fromMajor: number; how: string };
}

const mjsBeside = (cjs: string) => cjs.replace(/\.js$/, '.mjs');

/**
 * OpenInference's instrumentations take their tracer provider and content switches when built. They
 * are built on an older `InstrumentationBase` (0.46) with no `getModuleDefinitions()`: their public
 * `manuallyInstrument` patches, their own `unpatch` method unpatches.
 */
type OpenInferenceClass = new (options: {
  instrumentationConfig: { enabled: boolean };
  traceConfig: { hideInputs: boolean; hideOutputs: boolean };
  tracerProvider: TracerProvider | undefined;
}) => { manuallyInstrument(exports: unknown): void; unpatch?(exports: unknown, version?: string): unknown };

const openInference =
  (pkg: string, className: string) =>
  ({ tracerProvider, captureContent }: CreateContext): RealInstrumentation | undefined => {
    const Class = optionalRequire<Record<string, OpenInferenceClass>>(pkg)?.[className];
    if (!Class) return undefined;
    const hide = !captureContent;
    const real = new Class({
      instrumentationConfig: { enabled: false },
      traceConfig: { hideInputs: hide, hideOutputs: hide },
      tracerProvider,
    });
    return {
      patch: (exports) => {
        real.manuallyInstrument(exports);
        return exports;
      },
      unpatch: (exports, version) => real.unpatch?.(exports, version) ?? exports,
    };
  };

/**
 * `openai`: the official instrumentation 0.22 (the OpenTelemetry 3.x line) declares `>=4.19 <7`, but
 * openai 7 keeps the classes it wraps (`Chat.Completions`, `Embeddings`, `Responses`) and their
 * request and response shapes. `@anthropic-ai/sdk` traces itself from 1.0 (GenAI spans, read as they
 * are), and OpenLLMetry's instrumentation 0.27 cannot patch it (the classes it wraps moved).
 */
export const CLIENTS: readonly ClientSpec[] = [
  {
    package: 'openai',
    versions: { from: '4.19.0', belowMajor: 8 },
    instrumentation: '@opentelemetry/instrumentation-openai',
    create: ({ captureContent }) => {
      const m = optionalRequire<typeof import('@opentelemetry/instrumentation-openai')>(
        '@opentelemetry/instrumentation-openai',
      );
      if (!m) return undefined;
      return new m.OpenAIInstrumentation({ enabled: false, captureMessageContent: captureContent });
    },
    beneath: openAIUsageDetails,
    esmOf: mjsBeside,
  },
  {
    package: '@anthropic-ai/sdk',
    versions: { from: '0.9.1', belowMajor: 1 },
    instrumentation: '@traceloop/instrumentation-anthropic',
    create: ({ captureContent }) => {
      const m = optionalRequire<typeof import('@traceloop/instrumentation-anthropic')>(
        '@traceloop/instrumentation-anthropic',
      );
      return m && new m.AnthropicInstrumentation({ enabled: false, traceContent: captureContent });
    },
    esmOf: mjsBeside,
    recordedOtherwise: { fromMajor: 1, how: "the Anthropic SDK's own tracing" },
  },
  {
    package: '@langchain/core',
    files: [{ hooked: '@langchain/core/dist/callbacks/manager.cjs', specifier: '@langchain/core/callbacks/manager' }],
    versions: { from: '0.2.0', belowMajor: 2 },
    instrumentation: '@arizeai/openinference-instrumentation-langchain',
    create: openInference('@arizeai/openinference-instrumentation-langchain', 'LangChainInstrumentation'),
    esmOf: (cjs) => cjs.replace(/\.cjs$/, '.js'),
  },
  {
    package: '@aws-sdk/client-bedrock-runtime',
    versions: { from: '3.0.0', belowMajor: 4 },
    instrumentation: '@arizeai/openinference-instrumentation-bedrock',
    create: openInference('@arizeai/openinference-instrumentation-bedrock', 'BedrockInstrumentation'),
    around: smithyClientPatch('BedrockRuntimeClient'),
  },
  {
    // The 1.x to 3.x lines keep the three internal methods and the response shape ours reads.
    package: GOOGLE_GENAI_MODULE,
    versions: { from: '1.0.0', belowMajor: 4 },
    instrumentation: '@opentelemetry/instrumentation',
    create: ({ captureContent }) => {
      const base = optionalRequire<InstrumentationModule>('@opentelemetry/instrumentation');
      return base && createGoogleGenAIInstrumentation(base, captureContent, { enabled: false });
    },
    esmOf: (cjs) => cjs.replace(/\.cjs$/, '.mjs'),
  },
  {
    // The client's requests and the server's handlers; `/server/mcp.js` (McpServer) builds on `/server`.
    package: MCP_SDK,
    files: [
      { hooked: `${MCP_SDK}/dist/cjs/client/index.js`, specifier: `${MCP_SDK}/client` },
      { hooked: `${MCP_SDK}/dist/cjs/server/index.js`, specifier: `${MCP_SDK}/server` },
    ],
    versions: { from: '1.0.0', belowMajor: 2 },
    instrumentation: '@opentelemetry/instrumentation',
    create: createMcpInstrumentation,
    unseenByRequireHook: true,
    esmOf: (cjs) => cjs.replace('/dist/cjs/', '/dist/esm/'),
  },
  {
    // A2A 1.0: the client's messages and the remote agent's request handler (0.x spoke A2A 0.3 through other classes).
    package: A2A_SDK,
    files: [
      { hooked: `${A2A_SDK}/dist/client/index.cjs`, specifier: `${A2A_SDK}/client` },
      { hooked: `${A2A_SDK}/dist/server/index.cjs`, specifier: `${A2A_SDK}/server` },
    ],
    versions: { from: '1.0.0', belowMajor: 2 },
    instrumentation: '@opentelemetry/instrumentation',
    create: createA2AInstrumentation,
    esmOf: (cjs) => cjs.replace(/\.cjs$/, '.js'),
  },
  {
    // Both entries an app imports the class from (`@mastra/core/mastra`, as Mastra's docs do, and
    // `@mastra/core`) re-export one class: whichever loads first has it patched.
    package: '@mastra/core',
    files: [
      { hooked: '@mastra/core/dist/mastra/index.cjs', specifier: '@mastra/core/mastra' },
      { hooked: '@mastra/core', specifier: '@mastra/core' },
    ],
    versions: { from: '1.0.0', belowMajor: 2 },
    instrumentation: MASTRA_OTEL_BRIDGE,
    create: createMastraInstrumentation,
    esmOf: (cjs) => cjs.replace(/\.cjs$/, '.js'),
  },
];

/** The modules the require hook patches: the package's entry, or the files of it the row names. */
export function modulesOf(spec: ClientSpec): readonly ClientModule[] {
  return spec.files ?? [{ hooked: spec.package, specifier: spec.package }];
}

/** `major.minor.patch` of a version (a prerelease counts as its release); undefined when it is none. */
function parts(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Whether `version` is one the row records (a version that cannot be read is given the benefit). */
export function inVersions(spec: ClientSpec, version: string): boolean {
  const v = parts(version);
  const from = parts(spec.versions.from);
  if (!v || !from) return true;
  if (v[0] >= spec.versions.belowMajor) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== from[i]) return (v[i] as number) > (from[i] as number);
  return true;
}

export function versionsText(spec: ClientSpec): string {
  return `>=${spec.versions.from} <${spec.versions.belowMajor}`;
}

/** How `version` of the row's client is recorded instead, if it is. */
export function recordedOtherwise(spec: ClientSpec, version: string | undefined): string | undefined {
  const major = parts(version ?? '')?.[0];
  const otherwise = spec.recordedOtherwise;
  return otherwise && major !== undefined && major >= otherwise.fromMajor ? otherwise.how : undefined;
}
