/**
 * Budgets read by an app through the built SDK from the real local server: a per-user spend rule,
 * a session of that user spending past it (priced by the SDK), and `session.budget()` saying so,
 * while another user's `agentops.getBudgets()` is under. The pattern the README documents: an app
 * asks before its agent's next step and stops it when its user is over budget.
 */
import * as agentops from 'agentops';
import { expect, it } from 'vitest';
import { sdkSuite } from './helpers/sdk-suite.js';

const suite = sdkSuite();

it("session.budget() says the session's user is over the project's spend rule; another user's is not", async () => {
  const rule = await suite.server.post(
    '/v2/alerts/rules',
    {
      name: 'per-user daily budget',
      condition: { kind: 'spend', group_by: 'user', window: '24h', threshold: 0.01 },
      webhook: { url: 'http://127.0.0.1:9/' },
    },
    { 'x-agentops-api-key': suite.server.apiKey },
  );
  expect(rule.status).toBe(200);
  const session = suite.start({ userId: 'alice' });
  expect(await session.budget()).toMatchObject({
    over: false,
    budgets: [{ key: 'alice', spent: '0.00', limit: '0.010000' }],
  });
  // The agent's loop: a step, then a look at the budget before the next.
  let steps = 0;
  for (; steps < 10; steps++) {
    session.record(new agentops.LLMEvent({ model: 'gpt-4o', promptTokens: 2000, completionTokens: 500 }));
    await agentops.flush();
    if ((await session.budget()).over) break;
  }
  // gpt-4o: $2.50 / 1M input and $10 / 1M output tokens: $0.01 a step; over after the second.
  expect(steps).toBe(1);
  const status = await session.budget();
  expect(status.over).toBe(true);
  expect(status.budgets[0]).toMatchObject({ key: 'alice', spent: '0.020000', remaining: '0.00', over: true });
  expect(await agentops.getBudgets({ userId: 'bob' })).toMatchObject({
    over: false,
    budgets: [{ key: 'bob', spent: '0.00' }],
  });
  await session.endSession('Success');
});
