/** The agentops-server CLI, run as a real process. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLocalProject, openStore } from '@agentops/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';
import { TEST_STORE, testDatabase } from './helpers/stores.js';

const cli = join(dirname(createRequire(import.meta.url).resolve('@agentops/server')), 'cli.js');
let dir: string;
let db: string;
const drops: (() => Promise<void>)[] = [];

/** A database for one command: a SQLite file in the test's folder, or a PostgreSQL database. */
async function database(file: string): Promise<string> {
  const made = await testDatabase(join(dir, file));
  drops.push(made.drop);
  return made.db;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentops-cli-'));
  db = await database('agentops.db');
});
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});

it('--help describes the commands', async () => {
  const r = await runNode(cli, ['--help'], {});
  expect(r.code).toBe(0);
  for (const word of [
    '--port',
    '--host',
    '--db',
    'projects add',
    'sessions list',
    'sessions stats',
    'sessions export',
  ]) {
    expect(r.stdout).toContain(word);
  }
});

it('projects add prints the new key alone on stdout', async () => {
  // The database a server made (projects add refuses to make one no server reads).
  const store = await openStore(db);
  await ensureLocalProject(store, db);
  await store.close();
  const r = await runNode(cli, ['projects', 'add', 'team-a', '--db', db], {});
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  const list = await runNode(cli, ['projects', 'list', '--db', db], {});
  expect(list.stdout).toMatch(/\tlocal\t/);
  expect(list.stdout).toMatch(/\tteam-a\t/);
  expect(list.stdout).not.toContain(r.stdout.trim());
});

it('an unknown command exits 2 with the help', async () => {
  const r = await runNode(cli, ['frobnicate'], {});
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('unknown command "frobnicate"');
});

it('serves with a known key, and sessions list/stats/export read it back', async () => {
  const key = '11111111-2222-4333-8444-555555555555';
  const serveDb = await database('serve.db');
  const server = spawn(process.execPath, [cli, '--port', '0', '--db', serveDb, '--api-key', key], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverErr = '';
  server.stderr.on('data', (d: Buffer) => {
    serverErr += d;
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1] && out.includes('API key')) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    // The key is saved beside a SQLite file; a PostgreSQL database has no folder of its own.
    if (TEST_STORE === 'sqlite') expect(readFileSync(join(dir, 'api-key'), 'utf8').trim()).toBe(key);
    else expect(existsSync(join(dir, 'api-key'))).toBe(false);
    const id = crypto.randomUUID();
    const created = await fetch(`${url}/v2/create_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-agentops-api-key': key },
      body: JSON.stringify({ session: { session_id: id, init_timestamp: new Date().toISOString(), tags: ['cli'] } }),
    });
    expect(created.status).toBe(200);
    const env = { AGENTOPS_API_KEY: key, AGENTOPS_API_ENDPOINT: url };
    const list = await runNode(cli, ['sessions', 'list', '--json'], env);
    expect(JSON.parse(list.stdout).sessions.map((s: { session_id: string }) => s.session_id)).toContain(id);
    const table = await runNode(cli, ['sessions', 'list'], env);
    expect(table.code).toBe(0);
    const [head, row, footer] = table.stdout.trim().split('\n');
    expect(head).toMatch(/^SESSION\s+STARTED \(UTC\)\s+END STATE\s+EVENTS\s+COST\s+TAGS$/);
    expect(row).toMatch(new RegExp(`^${id}\\s+\\d{4}-\\d{2}-\\d{2} [\\d:]{8}\\s+Running\\s+0\\s+\\$0\\.00\\s+cli$`));
    expect(footer).toBe('1 of 1 sessions');
    const refused = await runNode(cli, ['sessions', 'list'], { ...env, AGENTOPS_API_KEY: 'not-the-key' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('agentops-server: GET /v2/sessions: 401 Invalid API key\n');
    expect(refused.stdout).toBe('');
    // The server says what it refused, once for the route and status however often it happens.
    await runNode(cli, ['sessions', 'list'], { ...env, AGENTOPS_API_KEY: 'not-the-key' });
    await expect
      .poll(() => serverErr)
      .toBe('refused GET /v2/sessions: 401 Invalid API key (said once for this route and status)\n');
    const stats = await runNode(cli, ['sessions', 'stats', id], env);
    expect(JSON.parse(stats.stdout)).toMatchObject({ session_id: id, events: 0 });
    const exported = await runNode(cli, ['sessions', 'export', id], env);
    expect(JSON.parse(exported.stdout).session.tags).toEqual(['cli']);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  }
});

it('retention set, show, --dry-run and a run: what goes is said first, then removed', async () => {
  const rdb = await database('retention.db');
  const store = await openStore(rdb);
  await ensureLocalProject(store, rdb);
  const [local] = await store.listProjects();
  const projectId = (local as { id: string }).id;
  const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const session = (id: string, end_state: 'Success' | 'Fail') =>
    store.writeSession(projectId, id, {
      session: { session_id: id, init_timestamp: old, end_timestamp: old, end_state },
      start: old,
      agents: [],
      events: [
        {
          payload: {
            id: `${id}-e`,
            session_id: id,
            event_type: 'tools',
            name: 't',
            init_timestamp: old,
            end_timestamp: old,
          },
          cost: null,
        },
      ],
    });
  const [gone, kept] = [crypto.randomUUID(), crypto.randomUUID()];
  await session(gone, 'Success');
  await session(kept, 'Fail');
  await store.close();

  const set = await runNode(cli, ['retention', 'set', '--db', rdb, '--success', '2w', '--fail', '90d'], {});
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toContain('Success 14 days, Fail 90 days, Indeterminate kept, unended kept; no payload budget');
  const dry = await runNode(cli, ['retention', '--dry-run', '--db', rdb], {});
  expect(dry.stdout).toContain('would remove now:\n  1 sessions past their time (1 Success): 1 events');
  const run = await runNode(cli, ['retention', '--db', rdb], {});
  expect(run.stdout).toBe('removed 1 sessions and 1 events; the payloads of 0 events (0 bytes)\n');
  const after = await runNode(cli, ['retention', '--dry-run', '--db', rdb], {});
  expect(after.stdout).toContain('no session is past its time');
  const check = await openStore(rdb);
  try {
    expect(await check.getSession(projectId, gone)).toBeUndefined();
    expect(await check.getSession(projectId, kept)).toBeDefined();
  } finally {
    await check.close();
  }
  const bad = await runNode(cli, ['retention', 'set', '--db', rdb, '--fail', 'later'], {});
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('agentops-server: --fail takes a duration such as 14d, 2w or 36h (got "later")\n');
  const nope = await runNode(cli, ['retention', 'show', '--db', rdb, '--project', 'nope'], {});
  expect(nope.code).toBe(2);
  expect(nope.stderr).toContain('no project "nope"');
  const cleared = await runNode(cli, ['retention', 'clear', '--db', rdb], {});
  expect(cleared.stdout).toContain('no policy: everything is kept');
});

const serverVersion: string = JSON.parse(
  readFileSync(new URL('../packages/server/package.json', import.meta.url), 'utf8'),
).version;

it.each([
  [['--version'], 0, new RegExp(`^${serverVersion.replaceAll('.', '\\.')}\n$`), 'stdout'],
  [['--bogus'], 2, /^agentops-server: Unknown option '--bogus'\. See agentops-server --help\.\n$/, 'stderr'],
  [['--port', 'abc'], 1, /^agentops-server: --port must be a whole number \(got "abc"\)\n$/, 'stderr'],
  [['--jwt-ttl', 'abc'], 1, /--jwt-ttl must be a whole number \(got "abc"\)/, 'stderr'],
  [['--jwt-ttl', '0'], 1, /--jwt-ttl must be a whole number of seconds from 1/, 'stderr'],
  [['--api-key', 'k'.repeat(201)], 1, /the API key must be 1 to 200 characters \(got 201\)/, 'stderr'],
  [
    ['--db', '/etc/passwd/sub/agentops.db'],
    1,
    /cannot open the database \/etc\/passwd\/sub\/agentops\.db: ENOTDIR/,
    'stderr',
  ],
  [
    // A PostgreSQL URL is a database to connect to (not a folder named "postgres:"), shown without its password.
    ['--port', '0', '--db', 'postgres://agentops:s3cret@127.0.0.1:9/agentops'],
    1,
    /^agentops-server: cannot open the database postgres:\/\/agentops@127\.0\.0\.1:9\/agentops: (?!.*s3cret).*ECONNREFUSED/,
    'stderr',
  ],
  [
    ['projects', 'list', '--db', 'postgresql://agentops@127.0.0.1:9/agentops'],
    1,
    /^agentops-server: cannot open the database postgresql:\/\/agentops@127\.0\.0\.1:9\/agentops: .*ECONNREFUSED/,
    'stderr',
  ],
  [
    ['projects', 'add', 'x', '--db', '/nonexistent-dir/agentops.db'],
    2,
    /no database at \/nonexistent-dir\/agentops\.db/,
    'stderr',
  ],
  [
    ['sessions', 'list', '--endpoint', 'not a url', '--api-key', 'k'],
    2,
    /--endpoint is not a URL: "not a url"/,
    'stderr',
  ],
  [
    ['sessions', 'list', '--endpoint', 'http://127.0.0.1:9', '--api-key', 'k'],
    1,
    /cannot reach http:\/\/127\.0\.0\.1:9 \(/,
    'stderr',
  ],
] as const)('%j exits %i with a clear message', async (args, code, message, stream) => {
  const r = await runNode(cli, [...args], { AGENTOPS_API_KEY: 'cli-test-key' });
  expect(r.code, r.stderr).toBe(code);
  expect(stream === 'stdout' ? r.stdout : r.stderr).toMatch(message);
});

it('AGENTOPS_DATABASE_URL names the store when --db does not', async () => {
  const r = await runNode(cli, ['--port', '0'], { AGENTOPS_DATABASE_URL: 'postgres://someone@127.0.0.1:9/elsewhere' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/cannot open the database postgres:\/\/someone@127\.0\.0\.1:9\/elsewhere: .*ECONNREFUSED/);
  expect(existsSync('postgres:')).toBe(false);
});

it('an empty AGENTOPS_API_KEY is refused at start', async () => {
  const r = await runNode(cli, ['--port', '0', '--db', join(dir, 'empty-key.db')], { AGENTOPS_API_KEY: '' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/the API key must be 1 to 200 characters \(got an empty one\)/);
});

it.each([
  [
    'a rule that is not one',
    '[{"match":"user_id","action":"hide"}]',
    /mask rule 0: a rule's action must be redact, hash or drop \(got "hide"\)/,
  ],
  [
    'a pattern that is not a RegExp',
    '[{"match":"user_id","action":"drop"},{"pattern":"[","action":"drop"}]',
    /mask rule 1: a rule's pattern "\[" is not a RegExp/,
  ],
  ['text that is not JSON', 'user_id: drop', /--mask-file \S+rules\.json: .*JSON/],
])('--mask-file with %s: the server does not start, and says which rule and why', async (_what, text, message) => {
  const file = join(dir, 'rules.json');
  writeFileSync(file, text);
  const r = await runNode(cli, ['--port', '0', '--db', join(dir, 'mask.db'), '--mask-file', file], {});
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(`^agentops-server: --mask-file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
  );
  expect(r.stderr).toMatch(message);
  expect(r.stdout).not.toContain('listening');
});

it('--mask-file with good rules: the server says it masks at ingest, and with how many rules', async () => {
  const file = join(dir, 'good-rules.json');
  writeFileSync(
    file,
    '{"rules":[{"match":"user_id","action":"drop"},{"pattern":"sk-[a-z0-9]+","flags":"i","action":"redact"}]}',
  );
  const r = await runNode(
    cli,
    ['--port', '0', '--db', await database('mask-good.db'), '--mask-file', file],
    {},
    (line, child) => {
      if (line.startsWith('Masking at ingest')) child.kill('SIGTERM');
    },
  );
  expect(r.stdout).toContain(`Masking at ingest: 2 rules from ${file}\n`);
});

it("`pnpm agentops-server`, as the READMEs say, runs this CLI (pnpm's own `server` command would win over a script of that name)", () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync('pnpm', ['--silent', 'agentops-server', '--help'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('agentops-server [--port 8787]');
  for (const readme of ['README.md', 'packages/server/README.md', 'packages/agentops/README.md']) {
    expect(readFileSync(join(root, readme), 'utf8')).not.toMatch(/pnpm (run )?server\b/);
  }
});
