/**
 * The dashboard in Debian's Chromium: enter the key once, find the seeded session in the list,
 * open it, click its LLM call and read the prompt and completion. Screenshots are saved as artifacts.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedSession } from './fixtures/seed-session.js';
import { launchChromium } from './helpers/browser.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
let server: TestServer;
let browser: Browser;
let sessionId: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startTestServer();
  sessionId = await seedSession(server.url, server.apiKey);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('lists the session, shows its waterfall and the LLM call as chat messages', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(`${server.url}/sessions`);

  // First visit: the key is asked for once and kept in the browser.
  await page.getByLabel('API key').fill(server.apiKey);
  await page.getByRole('button', { name: 'Open' }).click();
  const row = page.locator(`tr[data-id="${sessionId}"]`);
  await expect.poll(() => row.count()).toBe(1);
  const rowText = await row.textContent();
  expect(rowText).toContain('Success');
  expect(rowText).toContain('browser-test');
  expect(rowText).toContain('$0.006000'); // 1200 * $2.50/M + 300 * $10/M
  await page.screenshot({ path: `${artifacts}dashboard-list.png` });

  // Keyboard works as well as the mouse.
  await row.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.url()).toContain(`/sessions/${sessionId}`);
  await page.locator('.wf-row[data-type="llms"]').first().waitFor();
  const waterfall = await page.locator('#wf').textContent();
  expect(waterfall).toContain('Agent planner');
  expect(waterfall).toContain('LLM gpt-4o');
  expect(waterfall).toContain('Tool web_search');
  // An error row names its type once (it said "Error Error").
  expect(waterfall).not.toContain('Error Error');
  expect(await page.locator('.wf-row[data-type="errors"] .wf-label').textContent()).toMatch(/^⚠ Error \d+ ms$/);
  expect(await page.locator('.wf-row[data-type="errors"] .wf-bar.errors').count()).toBe(1);

  // Keyboard: focus the LLM row and press Enter.
  await page.locator('.wf-row[data-type="llms"]').first().focus();
  await page.keyboard.press('Enter');
  const detail = await page.locator('#detail').textContent();
  expect(detail).toContain('gpt-4o');
  expect(detail).toContain('1200 prompt / 300 completion tokens');
  expect(detail).toContain('Two days in Lisbon, please.');
  expect(detail).toContain('Day 1: Alfama. Day 2: Belém.');
  // Which host and process recorded the event (sessions can span several).
  expect(detail).toContain(`${hostname()} pid ${process.pid}`);

  // Text contrast meets WCAG AA (4.5:1) for the page's text styles.
  const ratios = await page.evaluate(() => {
    const lum = (c: string) => {
      const [r, g, b] = (c.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
        const x = Number(v) / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const bgOf = (el: Element | null): string => {
      for (let e = el; e; e = e.parentElement) {
        const bg = getComputedStyle(e).backgroundColor;
        if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
      }
      return getComputedStyle(document.body).backgroundColor;
    };
    return ['.muted', '.state', '.tag', 'h2', '.wf-label', '.msg'].map((sel) => {
      const el = document.querySelector(sel);
      if (!el) return [sel, 0] as const;
      const a = lum(getComputedStyle(el).color);
      const b = lum(bgOf(el));
      return [sel, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)] as const;
    });
  });
  for (const [selector, ratio] of ratios) expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
  await page.screenshot({ path: `${artifacts}dashboard-session.png`, fullPage: true });

  // The key stays in the browser: a reload goes straight to the session.
  await page.reload();
  await page.locator('.wf-row[data-type="llms"]').first().waitFor();
  expect(await page.locator('form#key').count()).toBe(0);
  await page.close();
});

it('a wrong key is refused and asked for again', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').fill('not-the-key');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect.poll(() => page.locator('form#key').textContent()).toContain('That API key was refused.');
  await page.close();
});

it('the page of a running session updates as events arrive', async () => {
  const { LLMEvent, init, shutdown } = await import('agentops');
  const session = init({
    apiKey: server.apiKey,
    endpoint: server.url,
    handleExit: false,
    logLevel: 'silent',
    maxWaitTime: 50,
  });
  if (!session) throw new Error('no session');
  session.record(new LLMEvent({ model: 'gpt-4o-mini', promptTokens: 1, completionTokens: 1 }));
  await session.getAnalytics(); // flushed: the session and its first event are on the server
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${session.id}`);
  await page.locator('.wf-row[data-type="llms"]').first().waitFor();
  expect(await page.locator('.state.running').count()).toBe(1);
  expect(await page.locator('.wf-row[data-type="llms"]').count()).toBe(1);

  session.record(new LLMEvent({ model: 'claude-3-5-haiku-20241022', promptTokens: 2, completionTokens: 2 }));
  await session.getAnalytics();
  await expect.poll(() => page.locator('.wf-row[data-type="llms"]').count(), { timeout: 10_000 }).toBe(2);
  await session.endSession('Success');
  await shutdown();
  await page.close();
});

it('a workflow, its task and the tool inside show in the waterfall as such, nested', async () => {
  const { init, recordTask, recordTool, recordWorkflow, shutdown } = await import('agentops');
  const session = init({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'silent' });
  if (!session) throw new Error('no session');
  const charge = recordTool('charge', (cents: number) => ({ ok: cents > 0 }));
  const pay = recordTask('pay', (cents: number) => charge(cents));
  const checkout = recordWorkflow('checkout', async (cents: number) => pay(cents));
  await checkout(500);
  await session.endSession('Success');
  await shutdown();
  const labels = await waterfallOf(session.id);
  expect(labels).toEqual(['Workflow checkout', 'Task pay', 'Tool charge']);
});

it('an LLM event with whatever prompt the API accepted opens, with no script error', async () => {
  const id = crypto.randomUUID();
  const post = (path: string, body: unknown, auth: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });
  const created = await post(
    '/v2/create_session',
    { session: { session_id: id, init_timestamp: new Date().toISOString() } },
    { 'x-agentops-api-key': server.apiKey },
  );
  const { jwt } = (await created.json()) as { jwt: string };
  const at = new Date().toISOString();
  const odd = [[null], [42, 'text', { content: 1 }], { role: null, content: null }, 'plain'];
  const events = odd.map((prompt, i) => ({
    id: crypto.randomUUID(),
    event_type: 'llms',
    init_timestamp: at,
    end_timestamp: at,
    model: `odd-${i}`,
    prompt,
    completion: prompt,
  }));
  expect((await post('/v2/create_events', { events }, { authorization: `Bearer ${jwt}` })).status).toBe(200);

  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${id}`);
  const rows = page.locator('.wf-row[data-type="llms"]');
  await expect.poll(() => rows.count()).toBe(odd.length);
  for (let i = 0; i < odd.length; i++) {
    await rows.nth(i).click();
    await expect.poll(() => page.locator('#detail').textContent()).toContain('odd-');
  }
  expect(errors).toEqual([]);
  await page.close();
});

it("an LLM call's cached and reasoning tokens are shown apart, on the call and on the session", async () => {
  const id = crypto.randomUUID();
  const headers = { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey };
  const created = await fetch(`${server.url}/v2/create_session`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ session: { session_id: id, init_timestamp: new Date().toISOString() } }),
  });
  const { jwt } = (await created.json()) as { jwt: string };
  const at = new Date().toISOString();
  const event = {
    id: crypto.randomUUID(),
    event_type: 'llms',
    init_timestamp: at,
    end_timestamp: at,
    model: 'claude-sonnet-4-5',
    prompt_tokens: 100_000,
    cache_read_tokens: 90_000,
    cache_creation_tokens: 5_000,
    completion_tokens: 1_000,
    reasoning_tokens: 400,
  };
  const sent = await fetch(`${server.url}/v2/create_events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ events: [event] }),
  });
  expect(sent.status).toBe(200);
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${id}`);
  await page.locator('.wf-row[data-type="llms"]').click();
  await expect
    .poll(() => page.locator('#detail .tokens-cached').textContent())
    .toBe('90000 read from the prompt cache · 5000 written to the prompt cache · 400 reasoning');
  expect(await page.locator('.cached-share').textContent()).toBe('90000 cached');
  await page.close();
});

it('the session list filters by environment and user from the URL, and the session page names them', async () => {
  const env = `browser-${crypto.randomUUID().slice(0, 8)}`;
  const ids = [crypto.randomUUID(), crypto.randomUUID()];
  for (const [i, id] of ids.entries()) {
    const r = await fetch(`${server.url}/v2/create_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey },
      body: JSON.stringify({
        session: {
          session_id: id,
          init_timestamp: new Date().toISOString(),
          environment: env,
          user_id: `user-${i}`,
          release: 'r9',
        },
      }),
    });
    expect(r.status).toBe(200);
  }
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions?environment=${env}&user_id=user-1`);
  await expect.poll(() => page.locator('tr.row').count()).toBe(1);
  expect(await page.locator('tr.row').getAttribute('data-id')).toBe(ids[1]);
  expect(await page.locator('input[name="environment"]').inputValue()).toBe(env);
  await page.locator('tr.row').click();
  await expect
    .poll(() => page.locator('.session-context').textContent())
    .toBe(`Environment ${env} · User user-1 · Release r9`);
  await page.close();
});

it("an error's detail says what kind of event it is and links to the event that triggered it", async () => {
  const { ErrorEvent, ToolEvent, init, recordTool, shutdown } = await import('agentops');
  const session = init({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'silent' });
  if (!session) throw new Error('no session');
  const charge = recordTool('charge', () => {
    throw new TypeError('card declined');
  });
  expect(() => charge()).toThrow('card declined');
  // Triggered by an event this session never recorded: named by its kind and id.
  const elsewhere = new ToolEvent({ name: 'elsewhere' });
  session.record(new ErrorEvent({ errorType: 'Timeout', details: 'no answer', triggerEvent: elsewhere }));
  await session.endSession('Fail');
  await shutdown();
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${session.id}`);
  const typeError = page.locator('.wf-row[data-type="errors"]', { hasText: 'TypeError' });
  await typeError.click();
  await expect.poll(() => page.locator('#detail p.muted').first().textContent()).toMatch(/^Error · /);
  const link = page.locator('#detail a.trigger');
  expect(await link.textContent()).toBe('Tool charge');
  await link.click();
  await expect.poll(() => page.locator('.wf-row.selected .wf-label').textContent()).toMatch(/^Tool charge/);
  expect(await page.locator('#detail h3').textContent()).toBe('Tool charge');
  expect(await page.locator('#detail p.muted').first().textContent()).toMatch(/^Tool call · /);
  await page.locator('.wf-row[data-type="errors"]', { hasText: 'Timeout' }).click();
  await expect
    .poll(() => page.locator('#detail p.muted', { hasText: 'Triggered by' }).textContent())
    .toBe(`Triggered by Tool call ${elsewhere.id}`);
  await page.close();
});

it('a session two processes recorded: each row names its process, and a remote agent names the call that invoked it', async () => {
  // As an A2A caller and the remote agent it delegated to send them: the caller's call (process 1),
  // the remote agent invoked under it and the agent's LLM call (process 2).
  const { id, at, auth } = await newSession('2026-12-01T10:00:00Z', ['a2a']);
  const agentId = randomUUID();
  const caller = { host: hostname(), pid: 4100 };
  const remote = { host: 'agent-host', pid: 4200 };
  await server.post(
    '/v2/create_agent',
    { id: agentId, name: 'Weather Agent', span_id: 'b'.repeat(16), parent_span_id: 'a'.repeat(16) },
    auth,
  );
  const events = [
    {
      id: randomUUID(),
      event_type: 'actions',
      action_type: 'invoke_agent Weather Agent',
      init_timestamp: at(0),
      end_timestamp: at(50),
      span_id: 'a'.repeat(16),
      origin: caller,
      peer: { protocol: 'a2a', name: 'Weather Agent', version: '1.0.0' },
    },
    {
      id: randomUUID(),
      event_type: 'llms',
      model: 'gpt-4o-mini',
      prompt_tokens: 24,
      completion_tokens: 8,
      init_timestamp: at(10),
      end_timestamp: at(40),
      span_id: 'c'.repeat(16),
      parent_span_id: 'b'.repeat(16),
      agent_id: agentId,
      origin: remote,
    },
  ];
  expect((await server.post('/v2/create_events', { events }, auth)).status).toBe(200);
  await server.post(
    '/v2/update_session',
    { session: { session_id: id, end_timestamp: at(60), end_state: 'Success' } },
    auth,
  );
  const page = await sessionPage(id);
  try {
    await page.locator('.wf-row[data-type="llms"]').waitFor();
    expect(await page.locator('.card', { hasText: 'Processes' }).locator('b').textContent()).toBe('2');
    const call = page.locator('.wf-row[data-type="actions"] .wf-label');
    expect(await call.locator('.proc').textContent()).toBe('P1');
    expect(await call.locator('.proc').getAttribute('title')).toBe(`Process ${hostname()} pid 4100`);
    // The agent's own row (an event's row has data-i).
    const agentRow = page.locator('.wf-row:not([data-i]) .wf-label', { hasText: /^Agent Weather Agent/ });
    expect(await agentRow.locator('.agent-caller').textContent()).toBe('← Action invoke_agent Weather Agent');
    // The second process's rows name the agent whose process it is (the caller's call named it).
    expect(await agentRow.locator('.proc').textContent()).toBe('P2 · Weather Agent');
    expect(await page.locator('.wf-row[data-type="llms"] .proc').getAttribute('title')).toBe(
      'Process agent-host pid 4200 · A2A agent Weather Agent 1.0.0',
    );
  } finally {
    await page.close();
  }
});

it("a session an MCP server added to: the client's call names the server, and the server's rows say whose they are", async () => {
  // As an MCP client and the server it called send them: the client's tool call (process 1, naming
  // the server), the server's handling of it and the LLM call its tool made (process 2).
  const { id, at, auth } = await newSession('2026-12-01T11:00:00Z', ['mcp']);
  const client = { host: hostname(), pid: 5100 };
  const mcpServer = { host: 'tools-host', pid: 5200 };
  const events = [
    {
      id: randomUUID(),
      event_type: 'tools',
      name: 'get_weather',
      params: { city: 'Paris' },
      init_timestamp: at(0),
      end_timestamp: at(50),
      span_id: '1'.repeat(16),
      origin: client,
      peer: { protocol: 'mcp', name: 'weather', version: '2.1.0' },
    },
    {
      id: randomUUID(),
      event_type: 'actions',
      action_type: 'MCP server: tools/call get_weather',
      init_timestamp: at(5),
      end_timestamp: at(45),
      span_id: '2'.repeat(16),
      parent_span_id: '1'.repeat(16),
      origin: mcpServer,
    },
    {
      id: randomUUID(),
      event_type: 'llms',
      model: 'gpt-4o-mini',
      init_timestamp: at(10),
      end_timestamp: at(40),
      span_id: '3'.repeat(16),
      parent_span_id: '2'.repeat(16),
      origin: mcpServer,
    },
  ];
  expect((await server.post('/v2/create_events', { events }, auth)).status).toBe(200);
  // A peer without a name, or of a protocol the server does not know, is refused with a clear error.
  const bad = await server.post(
    '/v2/create_events',
    { events: [{ ...events[0], id: randomUUID(), peer: { protocol: 'grpc', name: 'x' } }] },
    auth,
  );
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('peer');
  const page = await sessionPage(id);
  try {
    await page.locator('.wf-row[data-type="llms"]').waitFor();
    const call = page.locator('.wf-row[data-type="tools"]');
    expect(await call.locator('.peer').textContent()).toBe('MCP weather');
    expect(await call.locator('.proc').textContent()).toBe('P1');
    // Both of the server's rows, the handling and the LLM call its tool made, name the server.
    expect(await page.locator('.wf-row[data-type="actions"] .proc').textContent()).toBe('P2 · weather');
    expect(await page.locator('.wf-row[data-type="llms"] .proc').getAttribute('title')).toBe(
      'Process tools-host pid 5200 · MCP server weather 2.1.0',
    );
    await call.click();
    await expect.poll(() => page.locator('#detail .peer-detail').textContent()).toBe('To MCP server weather 2.1.0');
    await page.locator('.wf-row[data-type="llms"]').click();
    await expect
      .poll(() => page.locator('#detail .peer-detail').textContent())
      .toBe('Recorded by MCP server weather 2.1.0, in its own process');
  } finally {
    await page.close();
  }
});

it('evaluations show per session (a summary per name, each linked to what it judged) and on the events they judge', async () => {
  const { LLMEvent, evaluateSession, init, shutdown } = await import('agentops');
  const session = init({ apiKey: server.apiKey, endpoint: server.url, handleExit: false, logLevel: 'silent' });
  if (!session) throw new Error('no session');
  const llm = new LLMEvent({ model: 'gpt-4o-mini', prompt: 'Capital of France?', completion: 'Paris' });
  session.record(llm);
  await session.evaluate({
    name: 'correctness',
    score: 1,
    label: 'correct',
    explanation: 'Paris <b>is</b> right.',
    event: llm,
  });
  await session.evaluate({ name: 'correctness', score: 0.5, label: 'partial', event: llm });
  await session.endSession('Success');
  expect(await evaluateSession(session.id, { name: 'user_feedback', label: 'thumbs_up' })).toBe(true);
  await shutdown();
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${session.id}`);
  const section = page.getByRole('region', { name: 'Evaluations' });
  await section.waitFor();
  expect(await page.locator('.card', { hasText: 'Evaluations' }).locator('b').textContent()).toBe('3');
  expect(await section.locator('table.eval-summary tbody tr').allTextContents()).toEqual([
    'correctness20.75correct 1partial 1',
    'user_feedback1no scorethumbs_up 1',
  ]);
  const items = await section.locator('li.evaluation').allTextContents();
  expect(items).toEqual([
    'correctness of LLM gpt-4o-mini 1 correctParis <b>is</b> right.',
    'correctness of LLM gpt-4o-mini 0.5 partial',
    'user_feedback of the session thumbs_up',
  ]);
  // The judged row carries a badge; the link selects it, and its detail lists its evaluations.
  expect(await page.locator('.wf-row[data-type="llms"] .eval-badge').textContent()).toBe('✓ 2');
  await section.locator('a.trigger').first().click();
  await expect.poll(() => page.locator('.wf-row.selected .wf-label').textContent()).toMatch(/^LLM gpt-4o-mini/);
  expect(await page.locator('#detail ul.evaluations li').allTextContents()).toEqual([
    'correctness 1 correctParis <b>is</b> right.',
    'correctness 0.5 partial',
  ]);
  await page.screenshot({ path: `${artifacts}dashboard-evaluations.png`, fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

it('the host pane reads as words and sizes, cut labels show whole on hover, and there is a favicon', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${sessionId}`);
  const host = page.locator('#detail dl.host');
  await host.first().waitFor();
  const text = (await page.locator('#detail').textContent()) ?? '';
  expect(text).not.toContain('{');
  expect(text).toMatch(/RAMTotal\d+\.\d GBAvailable\d+\.\d GB/);
  expect(text).toContain(`Hostname${hostname()}`);
  const label = page.locator('.wf-row[data-type="tools"] .wf-label').first();
  expect(await label.getAttribute('title')).toBe('Tool web_search');
  expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
  await page.close();
});

it('the page names its script and styles by their hash: a second visit takes them from the cache (sizes and first render in test-artifacts)', async () => {
  const page = await browser.newPage();
  const loaded = () =>
    page.evaluate(() => ({
      resources: performance
        .getEntriesByType('resource')
        .filter((r) => new URL(r.name).pathname.startsWith('/assets/'))
        .map((r) => {
          const t = r as PerformanceResourceTiming;
          return { path: new URL(t.name).pathname, transferSize: t.transferSize, bodySize: t.decodedBodySize };
        })
        // By kind (.css, .js): their names' hashes change with their content.
        .sort((a, b) => a.path.slice(a.path.lastIndexOf('.')).localeCompare(b.path.slice(b.path.lastIndexOf('.')))),
      document: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).transferSize,
      firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    }));
  try {
    // A first visit, with an empty cache: the page, its script and its styles come over the wire.
    await page.goto(`${server.url}/`);
    await page.locator('#key').waitFor();
    const first = await loaded();
    expect(first.resources.map((r) => r.path)).toEqual([
      expect.stringMatching(/^\/assets\/main\.[0-9a-f]{12}\.css$/),
      expect.stringMatching(/^\/assets\/main\.[0-9a-f]{12}\.js$/),
    ]);
    for (const r of first.resources) expect(r.transferSize).toBeGreaterThan(r.bodySize / 2);
    // Another page of the dashboard, loaded anew: the page again, the same assets from the cache.
    await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
    await page.goto(`${server.url}/sessions`);
    await page.locator('tr.row').first().waitFor();
    const second = await loaded();
    expect(second.resources.map((r) => r.path)).toEqual(first.resources.map((r) => r.path));
    for (const r of second.resources) expect(r.transferSize).toBe(0);
    expect(second.document).toBeGreaterThan(0);
    writeFileSync(
      `${artifacts}dashboard-load.json`,
      `${JSON.stringify({ pageBytes: first.document, assets: first.resources, firstContentfulPaintMs: first.firstContentfulPaint }, null, 2)}\n`,
    );
  } finally {
    await page.close();
  }
});

it('works at 390 px wide: nothing runs off the page, the list scrolls in its own box', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions`);
  await page.locator('tr.row').first().waitFor();
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  const header = await page.locator('header').boundingBox();
  expect(header?.width).toBe(390);
  await page.screenshot({ path: `${artifacts}dashboard-list-390.png`, fullPage: true });
  await page.goto(`${server.url}/sessions/${sessionId}`);
  await page.locator('.wf-row[data-type="llms"]').first().waitFor();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${artifacts}dashboard-session-390.png`, fullPage: true });
  await page.close();
});

it('the list shows each session short id (whole on hover, copied by its button), agents and actions; search by id and a time range stay in the URL', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions?id=${sessionId.slice(0, 8)}`);
  await expect.poll(() => page.locator('tr.row').count()).toBe(1);
  const row = page.locator(`tr[data-id="${sessionId}"]`);
  expect(await row.locator('code').textContent()).toBe(sessionId.slice(0, 8));
  expect(await row.locator('code').getAttribute('title')).toBe(sessionId);
  const headers = await page.locator('thead th').allTextContents();
  const cells = await row.locator('td').allTextContents();
  const cell = (name: string) => cells[headers.indexOf(name)];
  expect(cell('Agents')).toBe('1');
  expect(cell('Actions')).toBe('0');
  expect(cell('Tools')).toBe('2');
  expect(await page.locator('input[name="id"]').inputValue()).toBe(sessionId.slice(0, 8));
  // The copy button copies the whole id, and does not open the session.
  await row.locator('button.copy').click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(sessionId);
  expect(new URL(page.url()).pathname).toBe('/sessions');
  // A time range that ends before the session started finds nothing; one around it finds it.
  await page.goto(`${server.url}/sessions?to=2000-01-01T00:00`);
  await expect.poll(() => page.locator('h2').textContent()).toBe('Sessions (0)');
  expect(await page.locator('input[name="to"]').inputValue()).toBe('2000-01-01T00:00');
  await page.locator('input[name="to"]').fill('2099-01-01T00:00');
  await page.locator('input[name="id"]').fill(sessionId.slice(0, 8));
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(() => page.locator('tr.row').count()).toBe(1);
  expect(new URL(page.url()).searchParams.get('to')).toBe('2099-01-01T00:00');
  await context.close();
});

it('a session that is not there says so, with a way back to the list', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${crypto.randomUUID()}`);
  const alert = page.getByRole('alert');
  await expect.poll(() => alert.textContent()).toBe('Could not load: Session not found. Back to the sessions');
  await alert.getByRole('link', { name: 'Back to the sessions' }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe('/sessions');
  await page.locator('tr.row').first().waitFor();
  await page.close();
});

it('the logs an AgentOps 0.4 client captured are shown on the session page', async () => {
  const traceId = BigInt(`0x${sessionId.replaceAll('-', '')}`).toString(10);
  const text = 'INFO agent started\n<script>alert(1)</script>\nERROR tool timed out\n';
  const r = await fetch(`${server.url}/v4/logs/upload/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agentops-api-key': server.apiKey, 'trace-id': traceId },
    body: JSON.stringify({ body: text }),
  });
  expect(r.status).toBe(200);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${sessionId}`);
  const section = page.getByRole('region', { name: 'Captured logs' });
  await expect.poll(() => section.locator('pre.log').textContent()).toBe(text);
  await section.screenshot({ path: `${artifacts}dashboard-logs.png` });
  expect(errors).toEqual([]);
  await page.close();
});

it('a session an AgentOps 0.4 client sent as OTLP with its v3 token shows its agent and events', async () => {
  const auth = await fetch(`${server.url}/v3/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: server.apiKey }),
  });
  const { token } = (await auth.json()) as { token: string };
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const kv = (key: string, v: string | number) => ({
    key,
    value: typeof v === 'number' ? { intValue: v } : { stringValue: v },
  });
  const at = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
  const spans = [
    ['0000000000000001', undefined, 'triage.session', 0, 900, [kv('agentops.span.kind', 'session')]],
    [
      '0000000000000002',
      '0000000000000001',
      'triage.agent',
      10,
      800,
      [kv('agentops.span.kind', 'agent'), kv('operation.name', 'triage')],
    ],
    [
      '0000000000000003',
      '0000000000000002',
      'openai.chat',
      20,
      300,
      [
        kv('gen_ai.system', 'OpenAI'),
        kv('gen_ai.request.model', 'gpt-4o-mini'),
        kv('gen_ai.usage.prompt_tokens', 40),
        kv('gen_ai.usage.completion_tokens', 8),
        kv('gen_ai.prompt.0.role', 'user'),
        kv('gen_ai.prompt.0.content', 'Where is order A-17?'),
      ],
    ],
    [
      '0000000000000004',
      '0000000000000002',
      'lookup_order.tool',
      310,
      500,
      [kv('agentops.span.kind', 'tool'), kv('operation.name', 'lookup_order')],
    ],
    ['0000000000000005', '0000000000000002', 'reply.task', 510, 700, [kv('agentops.span.kind', 'task')]],
  ] as const;
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'py-agent'), kv('agentops.project.id', 'temporary')] },
        scopeSpans: [
          {
            spans: spans.map(([spanId, parentSpanId, name, start, end, attributes]) => ({
              traceId,
              spanId,
              ...(parentSpanId ? { parentSpanId } : {}),
              name,
              kind: 1,
              startTimeUnixNano: at(start),
              endTimeUnixNano: at(end),
              attributes,
              status: {},
            })),
          },
        ],
      },
    ],
  };
  const sent = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(sent.status).toBe(200);
  const sessionOf04 = traceId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${sessionOf04}`);
  await expect.poll(() => page.locator('#wf').textContent()).toContain('Agent triage');
  const labels = await page.locator('.wf-row[data-i] .wf-label').allTextContents();
  expect(labels.map((l) => l.replace(/\s+\d+ ms$/, ''))).toEqual([
    'LLM gpt-4o-mini',
    'Tool lookup_order',
    'Task reply.task',
  ]);
  await page.locator('.wf-row[data-type="llms"]').click();
  await expect.poll(() => page.locator('#detail').textContent()).toContain('Where is order A-17?');
  await page.screenshot({ path: `${artifacts}dashboard-v04-session.png`, fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

/** The waterfall's rows of a session page, as labels without their durations. */
/** A new session opened through the v2 API at `start`, with `at(ms)` for times after it and its token's header. */
async function newSession(start: string, tags: string[]) {
  const id = randomUUID();
  const at = (ms: number) => new Date(Date.parse(start) + ms).toISOString();
  const created = await server.post<{ jwt: string }>('/v2/create_session', {
    session: { session_id: id, init_timestamp: at(0), tags },
  });
  return { id, at, auth: { authorization: `Bearer ${created.body.jwt}` } };
}

/** A new page on the session's page, signed in with the project's key. */
async function sessionPage(id: string) {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.goto(`${server.url}/sessions/${id}`);
  return page;
}

async function waterfallOf(id: string): Promise<string[]> {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/`);
    await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
    await page.goto(`${server.url}/sessions/${id}`);
    await page.locator('.wf-row').first().waitFor();
    const labels = await page.locator('#wf .wf-row:not(.wf-axis) .wf-label').allTextContents();
    return labels.map((l) => l.replace(/\s+\d+ ms$/, '').trim());
  } finally {
    await page.close();
  }
}

it("the same session sent with protocol 'otlp' shows the same waterfall as with v2", async () => {
  const otlpId = await seedSession(server.url, server.apiKey, {
    protocol: 'otlp',
    exporterEndpoint: `${server.url}/v1/traces`,
  });
  const v2 = await waterfallOf(sessionId);
  expect(v2).toContain('Agent planner');
  expect(await waterfallOf(otlpId)).toEqual(v2);
});

it('a session of the official agentops@0.1.0 package shows its agent and tool', async () => {
  const { execFile } = await import('node:child_process');
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/official-agentops-ts.cjs', import.meta.url)), server.url, server.apiKey],
      { timeout: 30_000 },
      (err, out) => (err ? reject(err) : resolve(out)),
    ),
  );
  const { traceId } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { traceId: string };
  const id = traceId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  expect(await waterfallOf(id)).toEqual(['Agent triage', 'Tool lookup_order']);
});

it('the waterfall has a time axis from 0 to the session span, and the header does not move between the key prompt and the app', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(`${server.url}/sessions/${sessionId}`);
  await page.getByLabel('API key').waitFor();
  const before = {
    header: await page.locator('header').boundingBox(),
    title: await page.locator('header h1').boundingBox(),
  };
  expect(await page.locator('#logout').isVisible()).toBe(false);
  await page.getByLabel('API key').fill(server.apiKey);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('.wf-axis').waitFor();
  expect(await page.locator('#logout').isVisible()).toBe(true);
  expect(await page.locator('header').boundingBox()).toEqual(before.header);
  expect(await page.locator('header h1').boundingBox()).toEqual(before.title);

  const ticks = await page
    .locator('.wf-axis .wf-tick')
    .evaluateAll((els) =>
      els.map((e) => ({ text: e.textContent ?? '', left: Number.parseFloat((e as HTMLElement).style.left) })),
    );
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  expect(ticks[0]).toEqual({ text: '0', left: 0 });
  expect(ticks.at(-1)?.left).toBe(100);
  for (let i = 1; i < ticks.length; i++) expect(ticks[i]?.left ?? 0).toBeGreaterThan(ticks[i - 1]?.left ?? 0);
  // Every label is a duration; the last is the session's span, as long as the agent's bar.
  for (const t of ticks.slice(1)) expect(t.text).toMatch(/^\d+(\.\d)? (ms|s)$|^\d+ min( \d+ s)?$/);
  await page.locator('#wf').screenshot({ path: `${artifacts}dashboard-waterfall-axis.png` });
  await page.close();
});

/** Sessions spread over the last week, through the v2 API: `hoursAgo` each, with their cost and end state. */
async function seedWeek(
  target: TestServer,
  specs: { hoursAgo: number; seconds: number; cost: number; model: string; state?: string }[],
) {
  const ids: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const id = crypto.randomUUID();
    const start = new Date(Date.now() - spec.hoursAgo * 3_600_000);
    const init = start.toISOString();
    const created = await target.post<{ jwt: string }>('/v2/create_session', {
      session: { session_id: id, init_timestamp: init, tags: ['overview'] },
    });
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${created.body.jwt}` };
    await target.post(
      '/v2/create_events',
      {
        events: [
          {
            id: crypto.randomUUID(),
            event_type: 'llms',
            init_timestamp: init,
            end_timestamp: init,
            model: spec.model,
            prompt_tokens: 1000 + i,
            completion_tokens: 100,
            cache_read_tokens: 400,
            cost: spec.cost,
          },
        ],
      },
      auth,
    );
    if (spec.state) {
      const end = new Date(start.getTime() + spec.seconds * 1000).toISOString();
      await target.post(
        '/v2/update_session',
        { session: { session_id: id, init_timestamp: init, end_timestamp: end, end_state: spec.state } },
        auth,
      );
    }
    ids.push(id);
  }
  return ids;
}

it('the overview is the default view: totals, charts per bucket, end states, cost by model, the slowest and costliest sessions; its range in the URL', async () => {
  const own = await startTestServer();
  try {
    const ids = await seedWeek(own, [
      { hoursAgo: 2, seconds: 12, cost: 0.5, model: 'gpt-4o', state: 'Success' },
      { hoursAgo: 5, seconds: 300, cost: 0.25, model: 'gpt-4o-mini', state: 'Fail' },
      { hoursAgo: 30, seconds: 40, cost: 2, model: 'claude-sonnet-4-5', state: 'Success' },
      { hoursAgo: 80, seconds: 8, cost: 0.1, model: 'gpt-4o', state: 'Indeterminate' },
      { hoursAgo: 120, seconds: 0, cost: 0.05, model: 'gpt-4o' },
    ]);
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${own.url}/`);
    await page.getByLabel('API key').fill(own.apiKey);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('#totals').waitFor();
    expect(await page.locator('h2').textContent()).toBe('Overview');
    expect(await page.locator('header nav a.current').textContent()).toBe('Overview');
    const totals = (await page.locator('#totals').textContent()) ?? '';
    expect(totals).toContain('Sessions5');
    expect(totals).toContain('Cost$2.90');
    expect(totals).toContain('Tokens55102000 cached');
    // Nearest rank over 0 s (running), 8 s, 12 s, 40 s and 5 min.
    expect(totals).toContain('Duration p50 / p9512.0 s / 5.0 min');
    expect(await page.locator('.chart svg').count()).toBe(5);
    // Last 7 days in days: 7 or 8 day buckets, one bar per day that has sessions.
    const bars = await page.locator('section[aria-label="Sessions"] rect.bar-sessions').count();
    expect(bars).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#end-states').textContent()).toMatch(/Success 2.*Failure 1.*Indeterminate 1.*Running 1/);
    const models = await page.locator('#models tr td:first-child').allTextContents();
    expect(models).toEqual(['claude-sonnet-4-5', 'gpt-4o', 'gpt-4o-mini']);
    const slowest = page.locator('section[aria-label="Slowest sessions"] tr.row');
    expect(await slowest.first().getAttribute('data-id')).toBe(ids[1]);
    const costliest = page.locator('section[aria-label="Costliest sessions"] tr.row');
    expect(await costliest.first().getAttribute('data-id')).toBe(ids[2]);
    await page.screenshot({ path: `${artifacts}dashboard-overview.png`, fullPage: true });

    // The last 24 hours, per hour: the two recent sessions; the range stays in the URL.
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('24h');
    await expect.poll(() => page.locator('#totals').textContent()).toContain('Sessions2');
    expect(await page.locator('form#ranges').textContent()).toContain('per hour');
    await page.reload();
    await expect.poll(() => page.locator('#totals').textContent()).toContain('Sessions2');
    // A range of the user's own; a session in a table opens its page.
    const from = new Date(Date.now() - 48 * 3_600_000);
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.locator('form#ranges input[name="from"]').fill(local(from));
    await page.locator('form#ranges input[name="to"]').fill(local(new Date(Date.now() + 3_600_000)));
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('#totals').textContent()).toContain('Sessions3');
    expect(new URL(page.url()).searchParams.get('from')).toBe(local(from));
    await page.locator('section[aria-label="Costliest sessions"] tr.row').first().click();
    await expect.poll(() => page.url()).toContain(`/sessions/${ids[2]}`);

    // At 390 px nothing runs off the page, and the slowest and costliest sessions show their values
    // inside their panels (the panels scroll sideways, which hid them).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${own.url}/`);
    await page.locator('#totals').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    for (const title of ['Slowest sessions', 'Costliest sessions']) {
      const panel = page.locator(`section[aria-label="${title}"]`);
      const edge = await panel.evaluate((e) => e.getBoundingClientRect().right);
      const values = await panel
        .locator('tr.row td:last-child')
        .evaluateAll((cells) => cells.map((c) => ({ right: c.getBoundingClientRect().right, text: c.textContent })));
      expect(values).toHaveLength(5);
      for (const v of values) {
        expect(v.text).toMatch(/^\$|\d (ms|s|min)/);
        expect(v.right).toBeLessThanOrEqual(edge);
      }
    }
    await page.screenshot({ path: `${artifacts}dashboard-overview-390.png`, fullPage: true });
    await page.close();
  } finally {
    await own.stop();
  }
});

it('on a first day of use: one session of 1 ms draws its duration as dots, and its waterfall ticks are 0 and 1 ms, apart, at 1366 and 390 px', async () => {
  const own = await startTestServer();
  try {
    const [id] = await seedWeek(own, [{ hoursAgo: 1, seconds: 0.001, cost: 0.01, model: 'gpt-4o', state: 'Success' }]);
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${own.url}/`);
    await page.getByLabel('API key').fill(own.apiKey);
    await page.getByRole('button', { name: 'Open' }).click();
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${own.url}/`);
      await page.locator('#totals').waitFor();
      // Last 7 days per day: every session in one bucket, so p50 and p95 are one point each, which a line cannot draw.
      const dots = page.locator('section[aria-label="Session duration"] circle.pt');
      expect(await dots.count()).toBe(2);
      for (const box of await dots.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
        expect(box.width).toBeGreaterThan(0);
      }
      await page.goto(`${own.url}/sessions/${id}`);
      await page.locator('.wf-axis').waitFor();
      const ticks = await page.locator('.wf-axis .wf-tick').evaluateAll((els) =>
        els
          .filter((e) => getComputedStyle(e).display !== 'none')
          .map((e) => ({
            text: e.textContent,
            left: e.getBoundingClientRect().left,
            right: e.getBoundingClientRect().right,
          })),
      );
      expect(ticks.map((t) => t.text)).toEqual(['0', '1 ms']);
      expect(ticks[0]?.right ?? 0).toBeLessThanOrEqual(ticks[1]?.left ?? 0);
      await page.screenshot({ path: `${artifacts}dashboard-first-day-${width}.png`, fullPage: true });
    }
    await page.close();
  } finally {
    await own.stop();
  }
});

it('search finds a session by what its agent said; opened from the search, its event is marked and shown (1366 and 390 px)', async () => {
  for (const width of [1366, 390]) {
    const page = await browser.newPage({ viewport: { width, height: 860 } });
    await page.goto(`${server.url}/`);
    await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
    await page.goto(`${server.url}/sessions`);
    await page.locator('input[name="q"]').fill('alfama BELEM');
    await page.locator('input[name="id"]').fill(sessionId.slice(0, 8));
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('tr.row').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe('alfama BELEM');
    // Words no event holds together: nothing.
    await page.locator('input[name="q"]').fill('alfama nowhere');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('h2').textContent()).toBe('Sessions (0)');
    await page.goBack();
    await page.locator(`tr[data-id="${sessionId}"]`).click();
    await expect.poll(() => page.url()).toContain(`/sessions/${sessionId}?q=`);
    await page.locator('.wf-row.hit').first().waitFor();
    // The LLM call that said it is marked, and the only one; its detail is open.
    expect(await page.locator('.wf-row.hit').count()).toBe(1);
    expect(await page.locator('.wf-row.hit').getAttribute('data-type')).toBe('llms');
    expect(await page.locator('.search-hits').textContent()).toMatch(/^1 of \d+ events hold “alfama BELEM”/);
    expect(await page.locator('#detail').textContent()).toContain('Day 1: Alfama. Day 2: Belém.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${artifacts}dashboard-search-${width}.png`, fullPage: true });
    await page.close();
  }
});

it('the settings page sets the retention policy, says what it would remove, and removes it; at 1366 and 390 px', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(`${server.url}/`);
  await page.evaluate((key) => localStorage.setItem('agentops.apiKey', key), server.apiKey);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(`${server.url}/settings`);
  const status = page.locator('#retention-preview');
  await expect.poll(() => status.textContent()).toBe('No policy: every session and payload is kept.');
  // Ten years, so the other tests' sessions stay.
  await page.getByLabel('Success').fill('3650');
  await page.getByRole('spinbutton', { name: 'Failure days' }).fill('3650');
  await page.getByLabel('Payload budget').fill('5000');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect
    .poll(() => status.textContent())
    .toMatch(/^Saved\. No session is past its time\. Payloads stored: [\d.]+ kB of 5\.00 GB: within the budget\.$/);
  const stored = await fetch(`${server.url}/v2/retention`, { headers: { 'x-agentops-api-key': server.apiKey } });
  expect((await stored.json()).policy).toEqual({ keep_days: { Success: 3650, Fail: 3650 }, payload_bytes: 5e9 });
  await page.screenshot({ path: `${artifacts}dashboard-settings.png`, fullPage: true });
  // Read back as saved on the next visit.
  await page.reload();
  await expect.poll(() => page.getByLabel('Success').inputValue()).toBe('3650');
  expect(await page.getByLabel('Indeterminate').inputValue()).toBe('');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${artifacts}dashboard-settings-390.png`, fullPage: true });
  await page.getByRole('button', { name: 'Keep everything' }).click();
  await expect.poll(() => status.textContent()).toBe('Removed. No policy: every session and payload is kept.');
  const cleared = await fetch(`${server.url}/v2/retention`, { headers: { 'x-agentops-api-key': server.apiKey } });
  expect((await cleared.json()).policy).toBeNull();
  await page.close();
});

it("the settings page makes alert rules, lists them (each deletable) and the project's alerts with their deliveries", async () => {
  const key = { 'x-agentops-api-key': server.apiKey };
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(`${server.url}/`);
  await page.evaluate((k) => localStorage.setItem('agentops.apiKey', k), server.apiKey);
  await page.goto(`${server.url}/settings`);
  await expect.poll(() => page.locator('#alert-rules').textContent()).toBe('No alert rule.');
  // A spend rule asks per what and over which window; a failure rate, the minutes and sessions.
  expect(await page.getByLabel('Per').isVisible()).toBe(true);
  expect(await page.getByLabel('Last minutes').isVisible()).toBe(false);
  await page.getByLabel('When').selectOption('failure_rate');
  expect(await page.getByLabel('Per').isVisible()).toBe(false);
  expect(await page.getByLabel('Last minutes').isVisible()).toBe(true);
  expect(await page.locator('#rule-unit').textContent()).toBe('%');
  // A refusal says why and keeps what was typed.
  await page.getByLabel('Name').fill('too many failures');
  await page.getByLabel('Limit').fill('150');
  await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
  await page.getByRole('button', { name: 'Add rule' }).click();
  const status = page.locator('#rule-status');
  await expect
    .poll(() => status.textContent())
    .toBe('Not added: condition.threshold of failure_rate is a fraction from 0 to 1');
  expect(await page.getByLabel('Name').inputValue()).toBe('too many failures');
  await page.getByLabel('Limit').fill('25');
  await page.getByLabel('Last minutes').fill('30');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expect
    .poll(() => status.textContent())
    .toMatch(/^Added “too many failures”\. Its signing secret, shown this once: [0-9a-f]{64}$/);
  await page.getByLabel('When').selectOption('session_cost');
  await page.getByLabel('Name').fill('any spend');
  await page.getByLabel('Limit').fill('0');
  await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
  await page.getByLabel('Body').selectOption('slack');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expect.poll(() => status.textContent()).toMatch(/^Added “any spend”/);
  const listed = await fetch(`${server.url}/v2/alerts/rules`, { headers: key });
  const byName = Object.fromEntries(
    ((await listed.json()) as { rules: { name: string; condition: unknown; webhook: unknown }[] }).rules.map((r) => [
      r.name,
      [r.condition, r.webhook],
    ]),
  );
  expect(byName).toEqual({
    'too many failures': [
      { kind: 'failure_rate', threshold: 0.25, minutes: 30, min_sessions: 5 },
      { url: 'http://127.0.0.1:9/hook', format: 'json' },
    ],
    'any spend': [
      { kind: 'session_cost', threshold: 0 },
      { url: 'http://127.0.0.1:9/hook', format: 'slack' },
    ],
  });
  const rules = page.locator('#alert-rules');
  await expect.poll(() => rules.textContent()).toContain('a session costing more than $0');
  expect(await rules.textContent()).toContain('more than 25.0% of the sessions of the last 30 min failed');
  const id = randomUUID();
  const at = new Date().toISOString();
  const created = await server.post<{ jwt: string }>(
    '/v2/create_session',
    { session: { session_id: id, init_timestamp: at } },
    key,
  );
  const events = [
    { id: randomUUID(), event_type: 'llms', model: 'gpt-4o', init_timestamp: at, end_timestamp: at, cost: 0.25 },
  ];
  expect(
    (await server.post('/v2/create_events', { events }, { authorization: `Bearer ${created.body.jwt}` })).status,
  ).toBe(200);
  await page.reload();
  const history = page.locator('#alert-history');
  await expect.poll(() => history.textContent()).toContain(`session ${id.slice(0, 8)}`);
  expect(await history.textContent()).toContain('$0.25');
  await page.screenshot({ path: `${artifacts}dashboard-alerts.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${artifacts}dashboard-alerts-390.png`, fullPage: true });
  await page.getByRole('button', { name: 'Delete' }).first().click();
  await expect.poll(() => page.getByRole('button', { name: 'Delete' }).count()).toBe(1);
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect.poll(() => page.locator('#alert-rules').textContent()).toBe('No alert rule.');
  await page.close();
});

it('a fork names the session it was made from and marks its first live call; the origin lists its forks (1366 and 390 px)', async () => {
  const key = { 'x-agentops-api-key': server.apiKey };
  const origin = randomUUID();
  const fork = randomUUID();
  const t = Date.now();
  const at = (ms: number) => new Date(t + ms).toISOString();
  for (const [id, extra] of [
    [origin, {}],
    [fork, { forked_from: origin, fork_step: 2, tags: ['fork'] }],
  ] as const) {
    const created = await server.post<{ jwt: string }>(
      '/v2/create_session',
      { session: { session_id: id, init_timestamp: at(0), ...extra } },
      key,
    );
    const call = (n: number, kind: 'llms' | 'tools') => ({
      id: randomUUID(),
      event_type: kind,
      init_timestamp: at(n * 10),
      end_timestamp: at(n * 10 + 5),
      ...(kind === 'llms'
        ? { model: 'gpt-4o-mini', completion: { role: 'assistant', content: `answer ${n}` } }
        : { name: 'get_weather' }),
    });
    const events: Record<string, unknown>[] = [call(0, 'llms'), call(1, 'tools'), call(2, 'llms')];
    // The fork's first call was recorded for replay (its HTTP exchange), the other not.
    if (id === fork)
      (events[0] as Record<string, unknown>).replay = {
        request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', body: '{}' },
        response: { status: 200, status_text: 'OK', headers: [], chunks: ['{}'] },
      };
    expect(
      (await server.post('/v2/create_events', { events }, { authorization: `Bearer ${created.body.jwt}` })).status,
    ).toBe(200);
  }
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await page.goto(`${server.url}/`);
  await page.evaluate((k) => localStorage.setItem('agentops.apiKey', k), server.apiKey);
  await page.goto(`${server.url}/sessions/${fork}`);
  const lineage = page.locator('.lineage');
  await expect
    .poll(() => lineage.textContent())
    .toBe(
      `Fork of ${origin.slice(0, 8)} from step 2: the calls before it replayed, the marked one and those after it run live.`,
    );
  expect(await page.locator('.tag.replayable').textContent()).toBe('partly replayable (1 of 2)');
  // The third call (step 2), and only it, is the first live one.
  const marked = page.locator('.wf-row.fork-point');
  expect(await marked.count()).toBe(1);
  expect(await marked.textContent()).toContain('live from here');
  const calls = page.locator('.wf-row[data-type="llms"], .wf-row[data-type="tools"]');
  expect(await calls.nth(2).evaluate((el) => el.classList.contains('fork-point'))).toBe(true);
  await page.screenshot({ path: `${artifacts}dashboard-fork.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${artifacts}dashboard-fork-390.png`, fullPage: true });
  await lineage.getByRole('link').click();
  await page.waitForURL(`${server.url}/sessions/${origin}`);
  await expect
    .poll(() => page.locator('#forks').textContent())
    .toBe(`Replays and forks of this session: ${fork.slice(0, 8)} (fork from step 2)`);
  expect(await page.locator('.lineage').count()).toBe(0);
  expect(await page.locator('.tag.replayable').count()).toBe(0);
  await page.locator('#forks').getByRole('link').click();
  await page.waitForURL(`${server.url}/sessions/${fork}`);
  await page.close();
});
