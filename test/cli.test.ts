/** The agentops-server CLI, run as a real process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';

const cli = join(dirname(createRequire(import.meta.url).resolve('@agentops/server')), 'cli.js');
let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentops-cli-'));
  db = join(dir, 'agentops.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  const server = spawn(process.execPath, [cli, '--port', '0', '--db', join(dir, 'serve.db'), '--api-key', key], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
    expect(readFileSync(join(dir, 'api-key'), 'utf8').trim()).toBe(key);
    const id = crypto.randomUUID();
    const created = await fetch(`${url}/v2/create_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-agentops-api-key': key },
      body: JSON.stringify({ session: { session_id: id, init_timestamp: new Date().toISOString(), tags: ['cli'] } }),
    });
    expect(created.status).toBe(200);
    const env = { AGENTOPS_API_KEY: key, AGENTOPS_API_ENDPOINT: url };
    const list = await runNode(cli, ['sessions', 'list'], env);
    expect(JSON.parse(list.stdout).sessions.map((s: { session_id: string }) => s.session_id)).toContain(id);
    const stats = await runNode(cli, ['sessions', 'stats', id], env);
    expect(JSON.parse(stats.stdout)).toMatchObject({ session_id: id, events: 0 });
    const exported = await runNode(cli, ['sessions', 'export', id], env);
    expect(JSON.parse(exported.stdout).session.tags).toEqual(['cli']);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  }
});
