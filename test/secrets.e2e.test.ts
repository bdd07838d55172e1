/**
 * The API key never leaks: not in anything a run prints (at debug level, with a good key and with a
 * refused one), not in propagated headers, not in span attributes, not in the dashboard page.
 */
import { fileURLToPath } from 'node:url';
import * as agentops from 'agentops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { runNode } from './helpers/child.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const app = fileURLToPath(new URL('./fixtures/exit-app.mjs', import.meta.url));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

it('a debug-level run prints nothing of a good key', async () => {
  const r = await runNode(app, ['ended', '5'], {
    AGENTOPS_API_KEY: server.apiKey,
    AGENTOPS_API_ENDPOINT: server.url,
    AGENTOPS_LOG_LEVEL: 'debug',
  });
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).toContain('SESSION');
  expect(r.stdout + r.stderr).not.toContain(server.apiKey);
});

it('a refused key is reported without being printed', async () => {
  const wrong = 'f00dfeed-0000-4000-8000-00000000beef';
  const r = await runNode(app, ['ended', '5'], {
    AGENTOPS_API_KEY: wrong,
    AGENTOPS_API_ENDPOINT: server.url,
    AGENTOPS_LOG_LEVEL: 'debug',
  });
  expect(r.stderr).toContain('refused the API key');
  expect(r.stdout + r.stderr).not.toContain(wrong);
});

it('headers and span attributes carry no key', async () => {
  const session = agentops.init({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'silent' });
  const headers = agentops.injectHeaders();
  expect(JSON.stringify(headers)).not.toContain(server.apiKey);
  session?.record(new agentops.ToolEvent({ name: 't' }));
  await session?.endSession('Success');
  const exported = JSON.stringify((await server.get(`/v2/sessions/${session?.id}/export`)).body);
  expect(exported).not.toContain(server.apiKey);
  await agentops.shutdown();
});

it('the dashboard never shows the key it was given', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('API key').fill(server.apiKey);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('h2').first().waitFor();
    expect(await page.content()).not.toContain(server.apiKey);
  } finally {
    await browser.close();
  }
});
