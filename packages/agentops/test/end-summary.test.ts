/** The line a session prints at its end: counts in words, and where its cost comes from. */
import { describe, expect, it } from 'vitest';
import { endSummary, type SessionAnalytics } from '../src/session/analytics.js';

const ID = '0af76519-16cd-43dd-8448-eb211c80319c';
const analytics = (over: Partial<SessionAnalytics>): SessionAnalytics => ({
  llmCalls: 0,
  toolCalls: 0,
  actions: 0,
  errors: 0,
  evaluations: 0,
  duration: '1.20s',
  durationMs: 1200,
  cost: '0.00',
  ...over,
});

describe('endSummary', () => {
  it('one of each is said in the singular, more in the plural', () => {
    const one = analytics({ llmCalls: 1, toolCalls: 1, actions: 1, errors: 1, evaluations: 1, cost: '0.000100' });
    expect(endSummary(ID, 'Success', one, undefined, 0.0001)).toBe(
      `Session ${ID} ended Success: 1.20s, cost $0.000100, 1 LLM call, 1 tool call, 1 action, 1 error, 1 evaluation`,
    );
    const many = analytics({ llmCalls: 2, toolCalls: 0, actions: 3, errors: 2, cost: '0.000200' });
    expect(endSummary(ID, 'Failure', many, 'http://x/sessions/1', 0.0002)).toBe(
      `Session ${ID} ended Failure: 1.20s, cost $0.000200, 2 LLM calls, 0 tool calls, 3 actions, 2 errors. Replay: http://x/sessions/1`,
    );
  });

  it("AgentOps' cost of a session other processes added to is said as such, beside what this process recorded", () => {
    const joined = analytics({ cost: '0.000749' });
    expect(endSummary(ID, 'Success', joined, undefined, 0)).toBe(
      `Session ${ID} ended Success: 1.20s, cost $0.000749 in all its processes (AgentOps' figure); ` +
        'recorded in this process: 0 LLM calls, 0 tool calls, 0 actions, 0 errors, cost $0.00',
    );
  });
});
