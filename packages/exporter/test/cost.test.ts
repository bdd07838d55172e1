import * as prices from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { formatCost, priceFnFrom } from '../src/cost.js';

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
    for (let i = 0; i < 3; i++) expect(price(model, { input, output }, provider)).toBeCloseTo(expected as number, 12);
  });

  it('answers undefined for an unknown model, also when asked again', () => {
    expect(price('my-own-model', { input: 10, output: 10 })).toBeUndefined();
    expect(price('my-own-model', { input: 10, output: 10 })).toBeUndefined();
  });

  // Cached prompts, priced by hand from the bundled table (USD per million tokens): the cached part
  // at the cache price, the rest of the input at the input price. `input` includes the cached part.
  const cached: [
    string,
    string,
    { input: number; output: number; cacheRead?: number; cacheWrite?: number },
    number,
    number,
  ][] = [
    // gpt-4o: input 2.5, cache read 1.25, output 10
    [
      'gpt-4o',
      'openai',
      { input: 10_000, cacheRead: 9_000, output: 500 },
      1_000 * 2.5 + 9_000 * 1.25 + 500 * 10,
      10_000 * 2.5 + 500 * 10,
    ],
    // claude-sonnet-4-5 under 200k tokens: input 3, cache write 3.75, cache read 0.3, output 15
    [
      'claude-sonnet-4-5',
      'anthropic',
      { input: 100_000, cacheRead: 90_000, cacheWrite: 5_000, output: 1_000 },
      5_000 * 3 + 90_000 * 0.3 + 5_000 * 3.75 + 1_000 * 15,
      100_000 * 3 + 1_000 * 15,
    ],
    // o3-mini: input 1.1, cache read 0.55, output 4.4 (reasoning tokens are output tokens)
    [
      'o3-mini',
      'openai',
      { input: 2_000, cacheRead: 1_024, output: 3_000 },
      976 * 1.1 + 1_024 * 0.55 + 3_000 * 4.4,
      2_000 * 1.1 + 3_000 * 4.4,
    ],
    // gemini-2.5-flash: input 0.3, cache read 0.03, output 2.5
    [
      'gemini-2.5-flash',
      'gcp.gemini',
      { input: 50_000, cacheRead: 40_000, output: 200 },
      10_000 * 0.3 + 40_000 * 0.03 + 200 * 2.5,
      50_000 * 0.3 + 200 * 2.5,
    ],
  ];
  it.each(cached)(
    '%s (%s) prices cached tokens at the cache rate: %j',
    (model, provider, usage, micro, uncachedMicro) => {
      for (let i = 0; i < 3; i++) expect(price(model, usage, provider)).toBeCloseTo(micro / 1e6, 12);
      expect(price(model, { input: usage.input, output: usage.output }, provider)).toBeCloseTo(uncachedMicro / 1e6, 12);
      expect(micro).toBeLessThan(uncachedMicro);
    },
  );

  it('a flat model priced from the fast path equals calcPrice for cached calls too', () => {
    for (const [model, providerId] of [
      ['gpt-4o', 'openai'],
      ['o3-mini', 'openai'],
      ['gemini-2.5-flash', 'google'],
    ] as const) {
      price(model, { input: 1, output: 1 }, providerId === 'google' ? 'gcp.gemini' : providerId);
      for (const [input, cacheRead, cacheWrite, output] of [
        [1000, 200, 0, 10],
        [5000, 0, 700, 0],
        [64, 64, 0, 3],
      ] as const) {
        const expected = prices.calcPrice(
          { input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite },
          model,
          { providerId },
        )?.total_price;
        expect(
          price(model, { input, output, cacheRead, cacheWrite }, providerId === 'google' ? 'gcp.gemini' : providerId),
        ).toBeCloseTo(expected as number, 12);
      }
    }
  });

  it('formats costs the AgentOps way', () => {
    expect(formatCost(0)).toBe('0.00');
    expect(formatCost(0.0075)).toBe('0.007500');
    expect(formatCost(Number.NaN)).toBe('0.00');
  });
});
