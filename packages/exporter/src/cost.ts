/**
 * LLM cost in USD from token counts, through `@pydantic/genai-prices` and its bundled price data
 * (never updated over the network at run time). The package is large, so it is loaded on first use.
 */
export type PriceFn = (
  model: string,
  inputTokens: number,
  outputTokens: number,
  provider?: string,
) => number | undefined;

type GenaiPrices = typeof import('@pydantic/genai-prices');

let loading: Promise<PriceFn> | undefined;

// Provider names as OpenTelemetry writes them -> genai-prices provider ids.
const PROVIDER_IDS: Record<string, string> = {
  openai: 'openai',
  'azure.ai.openai': 'azure',
  anthropic: 'anthropic',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  google: 'google',
  'aws.bedrock': 'aws',
  groq: 'groq',
  mistral_ai: 'mistral',
  deepseek: 'deepseek',
  x_ai: 'x-ai',
  perplexity: 'perplexity',
  cohere: 'cohere',
};

export function priceFnFrom(prices: GenaiPrices): PriceFn {
  return (model, inputTokens, outputTokens, provider) => {
    const usage = { input_tokens: inputTokens, output_tokens: outputTokens };
    const providerId = provider ? PROVIDER_IDS[provider.toLowerCase()] : undefined;
    try {
      const result = (providerId && prices.calcPrice(usage, model, { providerId })) || prices.calcPrice(usage, model);
      return result ? result.total_price : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Loads the price table once; later calls share the same promise. */
export function loadPriceFn(): Promise<PriceFn> {
  loading ??= import('@pydantic/genai-prices').then(priceFnFrom);
  return loading;
}

/** Cost as AgentOps prints it: "0.00" for nothing, otherwise six decimals. */
export function formatCost(usd: number): string {
  return usd > 0 && Number.isFinite(usd) ? usd.toFixed(6) : '0.00';
}
