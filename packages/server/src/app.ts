/**
 * The local AgentOps-compatible server: Fastify over a store (a SQLite file, or a PostgreSQL database
 * several instances share). `startServer()` is what the CLI, the demo and the tests run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPriceFn, Mask, type MaskRule, parseMaskRules } from '@agentops/exporter';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AlertDeliveryWorker } from './alerts/AlertDeliveryWorker.js';
import { createProject } from './auth/api-keys.js';
import { SessionTokens } from './auth/SessionTokens.js';
import { isPostgresUrl, openStore } from './db/open-store.js';
import { PostgresStore } from './db/PostgresStore.js';
import { SqliteStore } from './db/SqliteStore.js';
import { asUnavailable, type Store } from './db/Store.js';
import { Ingest } from './ingest.js';
import { registerMcpRoute } from './mcp/mcp-route.js';
import { RetentionWorker } from './retention/RetentionWorker.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerOpenApi } from './routes/openapi.js';
import { registerOtlpRoutes } from './routes/otlp.js';
import { sessionIdSchema } from './routes/schemas.js';
import { registerV2Routes } from './routes/v2/index.js';
import { registerV3Routes } from './routes/v3.js';
import { registerV4Routes } from './routes/v4.js';

export const DEFAULT_DB_FILE = join('.agentops', 'agentops.db');
const DEFAULT_RETENTION_INTERVAL_S = 60;

/** Deepest nesting of objects and arrays a request body may have. */
const MAX_BODY_DEPTH = 64;

/** True when `value` nests objects or arrays deeper than `limit` (walked without recursion). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    // Bytes (a body kept as a Buffer, decoded later) are not nested data.
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export interface ServerOptions {
  /**
   * Where the data is: a SQLite file (`:memory:` for a throwaway store), or a `postgres://` URL that
   * any number of instances may share. Default `./.agentops/agentops.db`.
   */
  db?: string;
  host?: string;
  /** 0 picks a free port. Default 8787. */
  port?: number;
  /** The local project's key on first start (else a new one is made). */
  apiKey?: string;
  /** Lifetime of session JWTs, seconds. Default one day. */
  jwtTtlSeconds?: number;
  /** Fastify request logging. Default off. */
  logRequests?: boolean;
  /** Told of a refused request (an answer of 400 or more), once per route and status. */
  onRefusal?: (refusal: Refusal) => void;
  /**
   * A team's mask, applied at ingest on every path (v2, OTLP, evaluations, uploads) before anything
   * is stored: the rules of the SDK's `mask` option (`--mask-file`), names being the wire's field names.
   */
  mask?: MaskRule[];
  /**
   * Seconds between passes of the projects' retention policies (`--retention-interval`); 0 runs
   * none (`agentops-server retention` can, by hand). Default 60.
   */
  retentionIntervalSeconds?: number;
}

/** A request the server refused: what `onRefusal` is told. */
export interface Refusal {
  method: string;
  /** The route's pattern (`/v2/sessions/:id/export`), or the path asked for when no route matched. */
  route: string;
  status: number;
  /** The message of the answer. */
  reason: string;
}

/** Distinct (route, status) pairs told of; past this, refusals are no longer reported. */
const MAX_REFUSALS_TOLD = 1000;

/** Tells `onRefusal` of each refused request's first (method, route, status). */
function refusalReporter(onRefusal: (refusal: Refusal) => void) {
  const told = new Set<string>();
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode < 400) return;
    const pattern = request.routeOptions.url;
    const key = `${request.method} ${pattern ?? '(no route)'} ${reply.statusCode}`;
    if (told.has(key) || told.size >= MAX_REFUSALS_TOLD) return;
    told.add(key);
    let reason = '';
    try {
      const message = typeof payload === 'string' ? (JSON.parse(payload) as { message?: unknown }).message : undefined;
      if (typeof message === 'string') reason = message;
    } catch {}
    try {
      onRefusal({
        method: request.method,
        route: pattern ?? request.url.split('?')[0]?.slice(0, 200) ?? '',
        status: reply.statusCode,
        reason: reason.slice(0, 500),
      });
    } catch {}
  };
}

export interface AgentOpsServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** `http://host:port` once listening. */
  readonly url: string;
  /** The local project's API key when this start created it (first start), else undefined. */
  readonly createdApiKey: string | undefined;
  /** Where the local project's key is kept, next to a SQLite database (none for PostgreSQL). */
  readonly apiKeyFile: string | undefined;
  close(): Promise<void>;
}

/**
 * Makes the local project on a new database (one, however many instances start on it at once), and
 * saves its key next to a SQLite file.
 */
export async function ensureLocalProject(
  store: Store,
  db: string,
  apiKey?: string,
): Promise<{ created?: string; keyFile?: string }> {
  const keyFile = db === ':memory:' || isPostgresUrl(db) ? undefined : join(dirname(db), 'api-key');
  const made = await createProject(store, 'local', apiKey, { onlyIfFirst: true });
  if (!made) return { keyFile };
  if (keyFile) writeFileSync(keyFile, `${made.apiKey}\n`, { mode: 0o600 });
  return { created: made.apiKey, keyFile };
}

/** The saved key of the local project, if this database has one on disk. */
export function readSavedApiKey(dbFile: string = DEFAULT_DB_FILE): string | undefined {
  if (isPostgresUrl(dbFile)) return undefined;
  const keyFile = join(dirname(dbFile), 'api-key');
  return existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined;
}

export async function buildApp(
  store: Store,
  options: {
    jwtTtlSeconds?: number;
    logRequests?: boolean;
    mask?: MaskRule[];
    onRefusal?: (refusal: Refusal) => void;
    publicUrl: () => string;
  },
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logRequests ?? false,
    bodyLimit: 1024 * 1024,
    // `__proto__` and `constructor.prototype` keys in a body are an app's data (its params, its tool
    // results), kept as sent: refusing them refused a whole batch of events for one such key. No
    // code here merges a body into another object; JSON.parse makes them plain own properties.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // No connection is held forever: a whole request (headers and body) within 30 s, an idle
    // keep-alive connection closed after 5 s, a silent socket after 60 s.
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    connectionTimeout: 60_000,
  });
  app.server.headersTimeout = 10_000;
  // On every answer, the page's and the API's alike.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
  });
  if (options.onRefusal) app.addHook('onSend', refusalReporter(options.onRefusal));
  // Bodies are validated strictly (42 is not "42"); query strings and params are text, so they coerce.
  const strict = new Ajv({
    allErrors: false,
    coerceTypes: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  const tokens = await SessionTokens.load(store, options.jwtTtlSeconds);
  const mask = options.mask ? Mask.of(options.mask, (m) => process.stderr.write(`agentops-server: ${m}\n`)) : undefined;
  const ingest = new Ingest(store, await loadPriceFn().catch(() => undefined), mask);

  app.setErrorHandler((err, request, reply) => {
    // The database saturated, locked or gone: 503, with Retry-After when trying again may help.
    const unavailable = asUnavailable(err);
    if (unavailable) {
      if (unavailable.retryAfterSeconds) reply.header('retry-after', String(unavailable.retryAfterSeconds));
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: unavailable.message });
    }
    const error = err as { statusCode?: number; code?: string; message?: string };
    // A request that does not fit its schema: said in words, not as the schema's regex.
    const invalid = validationMessage(err);
    if (invalid !== undefined) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: invalid });
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error(error);
      return reply
        .code(500)
        .send({ statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' });
    }
    return reply
      .code(status)
      .send({ statusCode: status, error: error.code ?? 'Bad Request', message: error.message ?? 'Bad Request' });
  });
  // Bodies nested deeper than any AgentOps payload are refused before anything reads them: a few
  // kilobytes of brackets would otherwise overflow the stack wherever they are encoded again.
  app.addHook('preValidation', async (request, reply) => {
    if (request.body !== undefined && nestsDeeperThan(request.body, MAX_BODY_DEPTH)) {
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        message: `the body nests deeper than ${MAX_BODY_DEPTH} levels`,
      });
    }
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Route not found' }),
  );

  // The API's document, from the routes' own schemas: registered before them, so it sees them all.
  await registerOpenApi(app);
  registerV2Routes(app, { store, ingest, tokens, publicUrl: options.publicUrl });
  registerV3Routes(app, { store, tokens });
  registerV4Routes(app, { store, ingest, tokens, publicUrl: options.publicUrl });
  registerOtlpRoutes(app, { store, ingest, tokens });
  registerMcpRoute(app, { store, tokens });
  registerDashboardRoutes(app);
  // `/health` says the process answers; `/ready` that its database does too (503 with why, when not).
  app.get('/ready', async (_request, reply) => {
    const why = await store.ready();
    return why === undefined ? { status: 'ready' } : reply.code(503).send({ status: 'unavailable', reason: why });
  });
  return app;
}

/** What Fastify's validation found wrong, as a sentence (undefined for any other error). */
function validationMessage(err: unknown): string | undefined {
  const { validation, validationContext } = err as {
    validation?: { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
  };
  if (!Array.isArray(validation) || validation.length === 0) return undefined;
  return validation
    .map((v) => {
      const path = `${validationContext ?? 'request'}${v.instancePath ?? ''}`;
      return `${path} ${describeFailure(v.keyword, v.params, v.message)}`;
    })
    .join('; ');
}

const PATTERN_WORDS: Record<string, string> = {
  [String(sessionIdSchema.pattern)]: 'must be a UUID (8-4-4-4-12 hexadecimal digits)',
  '^[0-9a-f]{16}$': 'must be a span id (16 lowercase hexadecimal digits)',
};

function describeFailure(keyword: string | undefined, params: Record<string, unknown> | undefined, message?: string) {
  if (keyword === 'pattern') {
    const words = PATTERN_WORDS[String(params?.pattern)];
    if (words) return words;
  }
  // The all-zero UUID, which no trace has.
  if (keyword === 'not') return 'must not be the all-zero UUID';
  return message ?? 'is not valid';
}

/** Longest API key a request may present (see projectForKey). */
const MAX_API_KEY_LENGTH = 200;
const MAX_JWT_TTL_SECONDS = 366 * 24 * 3600;

/** Refuses, with what is wrong and how to fix it, options the server could start with but not serve. */
export function checkServerOptions(options: ServerOptions): void {
  const { apiKey, jwtTtlSeconds, port } = options;
  if (apiKey !== undefined && (apiKey.trim() === '' || apiKey.length > MAX_API_KEY_LENGTH)) {
    throw new Error(
      `the API key must be 1 to ${MAX_API_KEY_LENGTH} characters (got ${apiKey.trim() === '' ? 'an empty one' : `${apiKey.length}`}); ` +
        'pass another --api-key, or unset AGENTOPS_API_KEY to have one made',
    );
  }
  if (
    jwtTtlSeconds !== undefined &&
    !(Number.isInteger(jwtTtlSeconds) && jwtTtlSeconds > 0 && jwtTtlSeconds <= MAX_JWT_TTL_SECONDS)
  ) {
    throw new Error(
      `--jwt-ttl must be a whole number of seconds from 1 to ${MAX_JWT_TTL_SECONDS} (got ${String(jwtTtlSeconds)})`,
    );
  }
  if (options.mask !== undefined) parseMaskRules(options.mask);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new Error(`--port must be a port number from 0 to 65535 (got ${String(port)})`);
  }
  const retention = options.retentionIntervalSeconds;
  if (retention !== undefined && !(Number.isInteger(retention) && retention >= 0 && retention <= MAX_JWT_TTL_SECONDS)) {
    throw new Error(
      `--retention-interval must be a whole number of seconds from 0 to ${MAX_JWT_TTL_SECONDS} (got ${String(retention)})`,
    );
  }
}

export async function startServer(options: ServerOptions = {}): Promise<AgentOpsServer> {
  checkServerOptions(options);
  const db = options.db ?? DEFAULT_DB_FILE;
  const store = await openStore(db);
  let url = '';
  let app: FastifyInstance | undefined;
  let made: { created?: string; keyFile?: string };
  let retention: RetentionWorker | undefined;
  let alerts: AlertDeliveryWorker | undefined;
  try {
    made = await ensureLocalProject(store, db, options.apiKey);
    app = await buildApp(store, { ...options, publicUrl: () => url });
    if (store instanceof SqliteStore) store.checkpointInBackground();
    // The search index is written off the ingest path (both stores queue what ingest stores).
    if (store instanceof SqliteStore || store instanceof PostgresStore) store.indexInBackground();
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8787 });
    const interval = options.retentionIntervalSeconds ?? DEFAULT_RETENTION_INTERVAL_S;
    if (interval > 0) {
      retention = new RetentionWorker(store, {
        intervalMs: interval * 1000,
        onError: (err) =>
          process.stderr.write(`agentops-server: retention failed (tried again in ${interval} s): ${String(err)}\n`),
      });
      retention.start();
    }
    alerts = new AlertDeliveryWorker(store, {
      onFailure: (id, error) => process.stderr.write(`agentops-server: ${id ? `alert ${id}: ` : ''}${error}\n`),
    });
    alerts.start();
  } catch (err) {
    await app?.close().catch(() => {});
    await store.close();
    throw err;
  }
  const { created, keyFile } = made;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    app,
    store,
    url,
    createdApiKey: created,
    apiKeyFile: keyFile,
    async close() {
      await retention?.stop();
      await alerts?.stop();
      await app.close();
      await store.close();
    },
  };
}
