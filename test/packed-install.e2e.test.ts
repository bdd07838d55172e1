/**
 * What is published is what is tested: the three packages are packed (`pnpm pack`), installed with
 * plain `npm install --strict-peer-deps` into a fresh app outside the workspace next to the
 * OpenTelemetry line this CI leg runs (2.x on Node 20, 3.x on Node 24), and an ESM app (with a CommonJS
 * library), a CommonJS NodeSDK app and a strict TypeScript program run against the installed server;
 * so does the same small app on Bun and on Deno, a Worker under workerd with Web APIs only (the
 * packages' `workerd` condition; Node 22.12+, wrangler's minimum), and a Next.js 16 app built with
 * `next build` and served by `next start` (a route handler on the Node.js runtime, one on the Edge
 * runtime: the `edge-light` condition).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SessionExport } from 'agentops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, runNode } from './helpers/child.js';
import { freePort } from './helpers/free-port.js';
import { OTHER_RUNTIMES } from './helpers/runtimes.js';
import { withWranglerDev, wranglerRuns } from './helpers/wrangler.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/packed-app', import.meta.url));
const API_KEY = '0b5c7c9e-4f0e-4a7d-9d8e-3c1f2a6b7d10';

/** The OpenTelemetry line this workspace is installed on decides the app's own packages. */
// Read from the file (3.x does not export its package.json): a direct dependency of this test package.
const sdkTraceManifest = fileURLToPath(
  new URL('./node_modules/@opentelemetry/sdk-trace/package.json', import.meta.url),
);
const sdkTraceVersion: string = JSON.parse(readFileSync(sdkTraceManifest, 'utf8')).version;
const line = Number(sdkTraceVersion.split('.')[0]);
const APP_DEPENDENCIES: Record<number, Record<string, string>> = {
  2: { '@opentelemetry/api': '1.9.0', '@opentelemetry/sdk-node': '0.223.0', '@types/node': '20.19.25' },
  3: { '@opentelemetry/api': '1.10.0', '@opentelemetry/sdk-node': '0.301.0', '@types/node': '24.10.1' },
};

/** Node 22.13+ opens SQLite with its own node:sqlite; Node 20 needs better-sqlite3 beside the server. */
const [nodeMajor = 0, nodeMinor = 0] = process.versions.node.split('.').map(Number);
const nodeHasSqlite = nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 13);

let app: string;
let packs: string;
let install: { stdout: string; stderr: string };
let server: { stop(): Promise<unknown> } | undefined;
let serverUrl: string;

/** A package's tarball, as a dependency of an app. */
function tarball(prefix: string): string {
  const file = readdirSync(packs).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`pnpm pack made no ${prefix} tarball in ${packs}`);
  return `file:${join(packs, file)}`;
}

beforeAll(async () => {
  packs = mkdtempSync(join(tmpdir(), 'agentops-packs-'));
  for (const pkg of ['exporter', 'agentops', 'server']) {
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(repo, 'packages', pkg) });
  }
  app = mkdtempSync(join(tmpdir(), 'agentops-app-'));
  cpSync(fixtures, app, { recursive: true });
  const dependencies = APP_DEPENDENCIES[line];
  if (!dependencies) throw new Error(`no app dependencies for OpenTelemetry line ${line}`);
  const manifest = {
    name: 'packed-app',
    private: true,
    type: 'module',
    dependencies: {
      agentops: tarball('agentops-'),
      '@agentops/exporter': tarball('agentops-exporter-'),
      '@agentops/server': tarball('agentops-server-'),
      ...dependencies,
      // The server's SQLite driver where this Node has no node:sqlite, installed as its README says.
      ...(nodeHasSqlite ? {} : { 'better-sqlite3': '^12.9.0' }),
      typescript: '5.9.3',
    },
  };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  install = await run('npm', ['install', '--strict-peer-deps', '--no-audit', '--no-fund'], {
    cwd: app,
    maxBuffer: 64 * 1024 * 1024,
  });
  server = await startInstalledServer();
}, 900_000);

/** The installed `agentops-server` bin, on a free port; resolves once it says where it listens. */
async function startInstalledServer(): Promise<{ stop(): Promise<unknown> }> {
  const cli = join(app, 'node_modules', '.bin', 'agentops-server');
  const args = ['--port', '0', '--db', join(app, '.agentops', 'agentops.db'), '--api-key', API_KEY];
  let child: ChildProcess | undefined;
  let listening: (url: string) => void = () => {};
  const started = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const exited = runNode(cli, args, {}, (text, c) => {
    child = c;
    const m = /listening on (http:\/\/\S+)/.exec(text);
    if (m?.[1]) listening(m[1]);
  });
  serverUrl = await Promise.race([
    started,
    exited.then((r) => Promise.reject(new Error(`agentops-server exited: ${r.stderr}`))),
  ]);
  return {
    stop: () => {
      child?.kill('SIGTERM');
      return exited;
    },
  };
}

afterAll(async () => {
  await server?.stop();
  for (const dir of [app, packs]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const appEnv = () => ({
  AGENTOPS_API_KEY: API_KEY,
  AGENTOPS_API_ENDPOINT: serverUrl,
  AGENTOPS_LOG_LEVEL: 'warn',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
});

async function exported(id: string): Promise<SessionExport> {
  const res = await fetch(`${serverUrl}/v2/sessions/${id}/export`, { headers: { 'x-agentops-api-key': API_KEY } });
  expect(res.status).toBe(200);
  return (await res.json()) as SessionExport;
}

async function runApp(script: string): Promise<Record<string, unknown>> {
  const r = await runNode(join(app, script), [], appEnv());
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

it(`installs with strict peers next to the OpenTelemetry ${line}.x line, with no peer warnings`, () => {
  expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/peer|ERESOLVE/i);
  const installed = (name: string) =>
    JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version as string;
  expect(installed('@opentelemetry/sdk-trace').split('.')[0]).toBe(String(line));
  const ours = JSON.parse(readFileSync(join(repo, 'packages', 'agentops', 'package.json'), 'utf8')).version;
  expect(installed('agentops')).toBe(ours);
  // Never the version of the registry's own (other) agentops package.
  expect(ours).not.toBe('0.1.0');
});

it('an ESM app and a CommonJS library it loads record into one session (one state for both builds)', async () => {
  const out = await runApp('app.mjs');
  expect(out.builds).toEqual({ distinct: true, session: out.id });
  expect(out.cost).toBe('0.000430');
  const session = await exported(out.id as string);
  expect(session.session.end_state).toBe('Success');
  expect(session.llms).toHaveLength(1);
  expect(session.tools.map((t) => t.name).sort()).toEqual(['lookup', 'search']);
});

it(`a CommonJS app on its own NodeSDK ${APP_DEPENDENCIES[line]?.['@opentelemetry/sdk-node']} with AgentOpsSpanProcessor`, async () => {
  const out = await runApp('app.cjs');
  const session = await exported(out.id as string);
  expect(session.session.tags).toEqual(['packed-cjs']);
  expect(session.actions.map((a) => a.action_type)).toEqual(['think']);
  expect(session.actions[0]?.agent_id).toBeTruthy();
});

it('a strict TypeScript program (nodenext, skipLibCheck false) type-checks under ESM and CJS and runs', async () => {
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = await run(process.execPath, [tsc, '-p', app], { cwd: app }).catch(
    (err: { stdout: string; stderr: string }) => err,
  );
  expect(`${compiled.stdout}${compiled.stderr}`).toBe('');
  const out = await runApp('dist/app.js');
  expect(out).toMatchObject({ cost: '0.000430', steps: 7, llmCalls: 1 });
  expect(out.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  expect((await exported(out.id as string)).llms[0]?.model).toBe('gpt-4o');
});

it("publishes no internal entry point: the exporter's helpers are bundled into the packages that use them", async () => {
  const exporter = JSON.parse(readFileSync(join(app, 'node_modules', '@agentops', 'exporter', 'package.json'), 'utf8'));
  expect(Object.keys(exporter.exports)).toEqual(['.']);
  expect(existsSync(join(app, 'node_modules', '@agentops', 'exporter', 'dist', 'internal.js'))).toBe(false);
  for (const [pkg, files] of [
    ['agentops', ['index.js', 'index.cjs']],
    [join('@agentops', 'server'), ['index.js', 'index.cjs', 'cli.js']],
  ] as const) {
    for (const file of files) {
      expect(readFileSync(join(app, 'node_modules', pkg, 'dist', file), 'utf8')).not.toContain(
        '@agentops/exporter/internal',
      );
    }
  }
  const r = await runNode(join(app, 'internal.mjs'), [], appEnv());
  expect(r.stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
});

it('the published types hold no @internal member and no public Session constructor', () => {
  for (const file of ['index.d.ts', 'index.d.cts']) {
    const types = readFileSync(join(app, 'node_modules', 'agentops', 'dist', file), 'utf8');
    const session = types.slice(types.indexOf('declare class Session'));
    expect(session.slice(0, session.indexOf('\n}'))).toMatch(/private constructor\(\);/);
    expect(types).not.toMatch(/\btraceId: string|static live\(|static start\(|@internal/);
  }
});

/** The session once the installed server has it ended, with its tool call (it may not be there at all yet). */
async function whole(id: string): Promise<SessionExport> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${serverUrl}/v2/sessions/${id}/export`, { headers: { 'x-agentops-api-key': API_KEY } });
    const data = res.status === 200 ? ((await res.json()) as SessionExport) : undefined;
    if (data?.session.end_state && data.tools.length > 0) return data;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${id} did not arrive whole`);
}

describe('the packed tarballs on the other runtimes', () => {
  it.each(OTHER_RUNTIMES)(
    '$name $version runs an app from them',
    async (runtime) => {
      const script = join(app, 'runtime-app.mjs');
      cpSync(fileURLToPath(new URL('./fixtures/runtime-app.mjs', import.meta.url)), script);
      const [command, ...args] = runtime.command(script);
      const r = await runCommand(command, args, app, { ...appEnv(), NO_COLOR: '1' });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { id: string; answer: string };
      expect(out.answer).toBe('sunny in Paris');
      const data = await whole(out.id);
      expect(data.session.end_state).toBe('Success');
      expect(JSON.stringify(data.session.host_env)).toContain(`"Runtime":"${runtime.name}"`);
      const agent = data.agents[0];
      expect(data.tools.map((t) => [t.name, t.agent_id, t.parent_span_id])).toEqual([
        ['lookup', agent?.id, agent?.span_id],
      ]);
    },
    60_000,
  );

  it.runIf(wranglerRuns)(
    'a Worker from them, with Web APIs only, under workerd',
    async () => {
      const dir = join(app, 'worker');
      mkdirSync(dir, { recursive: true });
      cpSync(fileURLToPath(new URL('./fixtures/worker/worker.mjs', import.meta.url)), join(dir, 'worker.mjs'));
      cpSync(
        fileURLToPath(new URL('./fixtures/worker-web/wrangler.toml', import.meta.url)),
        join(dir, 'wrangler.toml'),
      );
      writeFileSync(
        join(dir, 'wrangler.toml'),
        readFileSync(join(dir, 'wrangler.toml'), 'utf8').replace('../worker/', ''),
      );
      const vars = { AGENTOPS_API_KEY: API_KEY, AGENTOPS_API_ENDPOINT: serverUrl };
      const { value: data } = await withWranglerDev(dir, vars, async (url) => {
        const out = (await (await fetch(`${url}/?city=Paris`)).json()) as { id: string; answer: string };
        expect(out.answer).toBe('sunny in Paris');
        return whole(out.id);
      });
      expect(data.session.end_state).toBe('Success');
      expect(data.session.host_env).toEqual({
        SDK: { 'AgentOps SDK Version': expect.any(String), Runtime: 'workerd' },
      });
      expect(data.llms.map((l) => [l.model, l.prompt_tokens])).toEqual([['gpt-4o-mini', 12]]);
      expect(data.tools.map((t) => [t.name, t.returns])).toEqual([['lookup', 'sunny in Paris']]);
    },
    90_000,
  );
});

it('a Next.js 16 app from them: next build, a route handler on the Node.js runtime and one on the Edge runtime', async () => {
  const dir = join(app, 'next-app');
  cpSync(fileURLToPath(new URL('./fixtures/packed-next-app', import.meta.url)), dir, { recursive: true });
  const manifest = {
    name: 'packed-next-app',
    private: true,
    dependencies: {
      agentops: tarball('agentops-'),
      '@agentops/exporter': tarball('agentops-exporter-'),
      '@opentelemetry/api': APP_DEPENDENCIES[line]?.['@opentelemetry/api'],
      next: '16.4.6',
      react: '19.3.1',
      'react-dom': '19.3.1',
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  const next = join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  const env = { NEXT_TELEMETRY_DISABLED: '1' };
  const build = await runCommand(process.execPath, [next, 'build'], dir, env);
  expect(build.code, `${build.stdout}${build.stderr}`).toBe(0);
  const port = await freePort();
  let served: ChildProcess | undefined;
  let ready = false;
  const started = runCommand(
    process.execPath,
    [next, 'start', '-p', String(port), '-H', '127.0.0.1'],
    dir,
    { ...env, ...appEnv() },
    (text, child) => {
      served = child;
      if (/Ready in/.test(text)) ready = true;
    },
  );
  try {
    for (let i = 0; i < 300 && !ready; i++) await new Promise((r) => setTimeout(r, 100));
    expect(ready, 'next start did not become ready').toBe(true);
    const get = async (path: string) =>
      (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as {
        answer: string;
        session: string;
      };
    const node = await get('/api/node?city=Paris');
    const edge = await get('/api/edge?city=Lyon');
    expect([node.answer, edge.answer]).toEqual(['sunny in Paris', 'sunny in Lyon']);
    for (const [out, runtime] of [
      [node, 'nodejs'],
      [edge, 'edge-runtime'],
    ] as const) {
      const data = await whole(out.session);
      expect(data.session.end_state).toBe('Success');
      expect(data.session.tags).toEqual(['packed-next']);
      expect(JSON.stringify(data.session.host_env)).toContain(`"Runtime":"${runtime}"`);
      expect(data.llms.map((l) => l.prompt_tokens)).toEqual([9]);
      expect(data.tools.map((t) => t.returns)).toEqual([out.answer]);
    }
  } finally {
    served?.kill('SIGTERM');
    await started;
  }
}, 600_000);
