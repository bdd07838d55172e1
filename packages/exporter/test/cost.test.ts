import * as prices from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { formatCost, priceFnFrom } from '../src/index.js';

describe('priceFnFrom', () => {
  const price = priceFnFrom(prices);
  const cases: [string, string | undefined, number, number][] = [
    ['gpt-4o', 'openai', 1000, 500],
    ['gpt-4o-mini', 'openai', 24, 8],
    ['gpt-4o-mini-2024-07-18', 'openai', 30, 5],
    ['claude-3-5-sonnet-20241022', 'anthropic', 412, 58],
    ['claude-3-5-sonnet-20241022', undefined, 1, 1],
    ['text-embedding-3-small', 'openai', 5, 0],
    ['gemini-1.5-pro', 'gcp.gemini', 100_000, 2_000],
    ['gemini-1.5-pro', 'gcp.gemini', 300_000, 2_000],
  ];
  it.each(cases)('%s (%s) with %i/%i tokens equals calcPrice, first and cached', (model, provider, input, output) => {
    const usage = { input_tokens: input, output_tokens: output };
    const expected = prices.calcPrice(
      usage,
      model,
      provider === 'gcp.gemini' ? { providerId: 'google' } : provider ? { providerId: provider } : undefined,
    )?.total_price;
    expect(expected).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 3; i++) expect(price(model, input, output, provider)).toBeCloseTo(expected as number, 12);
  });

  it('answers undefined for an unknown model, also when asked again', () => {
    expect(price('my-own-model', 10, 10)).toBeUndefined();
    expect(price('my-own-model', 10, 10)).toBeUndefined();
  });

  it('formats costs the AgentOps way', () => {
    expect(formatCost(0)).toBe('0.00');
    expect(formatCost(0.0075)).toBe('0.007500');
    expect(formatCost(Number.NaN)).toBe('0.00');
  });
});
