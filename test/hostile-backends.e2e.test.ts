/**
 * The SDK against endpoints that are down or are not the AgentOps API: the app's awaits settle,
 * its process exits by itself, and a wrong answer is retried with backoff (not in a hot loop) and
 * said once. Each app runs in a child process; the hostile endpoint is a real HTTP server here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runNode } from './helpers/child.js';

const app = fileURLToPath(new URL('./fixtures/hostile-app.mjs', import.meta.url));

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A local endpoint answering every request with `behave`; counts the requests. */
async function hostile(behave: Behaviour): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    behave(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

/** A port nothing listens on: connections are refused. */
async function refusingUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const behaviours: Record<string, Behaviour> = {
  'never answers': () => {},
  'answers 500': (_req, res) => res.writeHead(500).end('{"message":"down"}'),
  'answers 429 with Retry-After of an hour': (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end(),
  'answers 200 with an HTML page': (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to the Wi-Fi</body></html>'),
  'answers 200 with invalid JSON': (_req, res) => res.writeHead(200).end('{"jwt": '),
  'answers 200 with JSON without a jwt': (_req, res) => res.writeHead(200).end('{"status":"Success"}'),
  'answers 200 with an endless body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const write = () => {
      while (!res.destroyed && res.write(chunk)) {}
      if (!res.destroyed) res.once('drain', write);
    };
    write();
  },
};

async function endpointFor(name: string): Promise<{ url: string; requests?: () => number }> {
  if (name === 'refuses connections') return { url: await refusingUrl() };
  if (name === 'cannot be resolved') return { url: 'http://agentops-endpoint.invalid' };
  return hostile(behaviours[name] as Behaviour);
}

const cases = ['refuses connections', 'cannot be resolved', ...Object.keys(behaviours)];

describe('a backend that is down or not the AgentOps API', () => {
  it.each(cases)('%s: endSession and shutdown settle, the app exits 0', async (name) => {
    const endpoint = await endpointFor(name);
    const r = await runNode(app, ['shutdown'], { AGENTOPS_API_KEY: 'key', AGENTOPS_API_ENDPOINT: endpoint.url });
    expect(r.code, r.stderr).toBe(0);
    // Nothing arrived, so the cost is the events' own (gpt-4o, 100 in / 10 out).
    expect(r.stdout).toMatch(/^DONE 0\.000350$/m);
  });

  it.each(cases)('%s: without shutdown, the process exits by itself', async (name) => {
    const endpoint = await endpointFor(name);
    const r = await runNode(app, ['no-shutdown'], { AGENTOPS_API_KEY: 'key', AGENTOPS_API_ENDPOINT: endpoint.url });
    expect(r.code, r.stderr).toBe(0);
  });

  it.each([
    'answers 200 with an HTML page',
    'answers 200 with invalid JSON',
    'answers 200 with JSON without a jwt',
    'answers 200 with an endless body',
  ])('%s: retried with backoff, not in a loop, and said once', async (name) => {
    const endpoint = await endpointFor(name);
    const r = await runNode(app, ['shutdown'], { AGENTOPS_API_KEY: 'key', AGENTOPS_API_ENDPOINT: endpoint.url });
    expect(r.code, r.stderr).toBe(0);
    // About two seconds of trying (two flushes of 1 s): a hot loop sends thousands of requests.
    expect(endpoint.requests?.()).toBeLessThan(40);
    const lines = r.stderr.split('\n');
    const warnings = lines.filter(
      (l) =>
        (l.includes('not an answer of the AgentOps API') || l.includes('larger than')) && !l.includes('flush gave up'),
    );
    expect(warnings, r.stderr).toHaveLength(1);
    // A flush that gave up says so once, naming the endpoint and why.
    const gaveUp = lines.filter((l) => l.includes('flush gave up'));
    expect(gaveUp.length, r.stderr).toBeLessThanOrEqual(1);
    for (const line of gaveUp) expect(line).toContain(`not yet delivered to ${endpoint.url}: POST /v2/create_session`);
  });
});
