/** What every answer carries (security headers, the page's CSP) and how long a connection may be held. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/helpers/stores.js';
import { type AgentOpsServer, startServer } from '../src/app.js';

let dir: string;
let server: AgentOpsServer;
let drop: () => Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentops-http-'));
  const database = await testDatabase(join(dir, 'agentops.db'));
  drop = database.drop;
  server = await startServer({ db: database.db, port: 0 });
});
afterAll(async () => {
  await server.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('headers', () => {
  it('the page allows no inline script and no framing', async () => {
    const r = await server.app.inject({ url: '/' });
    const csp = String(r.headers['content-security-policy']);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['cache-control']).toBe('no-cache');
    // Its script and styles are files of their own, named by their content's hash.
    const script = /<script type="module" src="(\/assets\/main\.[0-9a-f]{12}\.js)"><\/script>/.exec(r.body)?.[1];
    const styles = /<link rel="stylesheet" href="(\/assets\/main\.[0-9a-f]{12}\.css)">/.exec(r.body)?.[1];
    expect(script).toBeDefined();
    expect(styles).toBeDefined();
    const js = await server.app.inject({ url: script as string });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    const css = await server.app.inject({ url: styles as string });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    // Cached for a year: a new build is a new name.
    for (const asset of [js, css]) expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const hash = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 12);
    expect(script).toBe(`/assets/main.${hash(js.body)}.js`);
    expect(styles).toBe(`/assets/main.${hash(css.body)}.css`);
    expect((await server.app.inject({ url: '/assets/main.000000000000.js' })).statusCode).toBe(404);
  });

  it.each(['/', '/assets/none.js', '/v2/sessions', '/health', '/nowhere'])(
    '%s: nosniff, no framing, no referrer',
    async (url) => {
      const r = await server.app.inject({ url });
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    },
  );
});

describe('connections', () => {
  it('bounds headers, whole requests and idle keep-alive connections', () => {
    expect(server.app.server.headersTimeout).toBe(10_000);
    expect(server.app.server.requestTimeout).toBe(30_000);
    expect(server.app.server.keepAliveTimeout).toBe(5_000);
  });

  it('closes an idle keep-alive connection by itself', async () => {
    const port = Number(new URL(server.url).port);
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    // The server, not the client, ends it: `close` comes although the client never closes.
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
  });
});
