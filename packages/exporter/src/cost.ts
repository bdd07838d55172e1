/**
 * LLM cost in USD from token counts, through `@pydantic/genai-prices` and its bundled price data
 * (never updated over the network at run time). The package is large, so it is loaded on first use.
 */
import { errorText } from './internal/values.js';
import { type GenaiPrices, requirePriceTable } from './price-table.js';

/**
 * An LLM call's tokens as they are priced. `input` counts every prompt token, cached ones included
 * (as the GenAI conventions count them); `cacheRead` and `cacheWrite` are the parts of it read from
 * and written to the provider's prompt cache. Reasoning tokens are part of `output`.
 */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export type PriceFn = (model: string, usage: TokenUsage, provider?: string) => number | undefined;

let loading: Promise<PriceFn> | undefined;
/** The price function once built (synchronously when the package could be required). */
let loaded: PriceFn | undefined;

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

/**
 * Per-million-token prices of one model, when they are flat (no tiers): the common case, priced
 * without a lookup. A cache price the table does not have is the input price, as genai-prices has it.
 */
type FlatPrice = { input: number; output: number; cacheRead: number; cacheWrite: number } | 'tiered' | 'unknown';

/** A flat price of the table, or undefined where it is tiered or missing. */
function flatPart(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function priceFlat(p: Exclude<FlatPrice, 'tiered' | 'unknown'>, u: TokenUsage): number {
  const cacheRead = u.cacheRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  const uncached = Math.max(0, u.input - cacheRead - cacheWrite);
  return (uncached * p.input + cacheRead * p.cacheRead + cacheWrite * p.cacheWrite + u.output * p.output) / 1e6;
}

const CACHE_LIMIT = 1000;

export function priceFnFrom(prices: GenaiPrices): PriceFn {
  // Finding a model in the price table is the slow part of calcPrice; it is done once per model.

  function calc(model: string, u: TokenUsage, providerId: string | undefined) {
    const usage = {
      input_tokens: u.input,
      output_tokens: u.output,
      ...(u.cacheRead ? { cache_read_tokens: u.cacheRead } : {}),
      ...(u.cacheWrite ? { cache_write_tokens: u.cacheWrite } : {}),
    };
    try {
      return (providerId && prices.calcPrice(usage, model, { providerId })) || prices.calcPrice(usage, model);
    } catch {
      return null;
    }
  }

  // Per provider as given, then per model: no key string is built per call.
  const byProvider = new Map<string, Map<string, FlatPrice>>();
  let cached = 0;

  return (model, usage, provider) => {
    let flat = byProvider.get(provider ?? '');
    const known = flat?.get(model);
    if (known === 'unknown') return undefined;
    if (known && known !== 'tiered') return priceFlat(known, usage);
    const providerId = provider ? PROVIDER_IDS[provider.toLowerCase()] : undefined;
    const result = calc(model, usage, providerId);
    if (known === undefined) {
      if (cached >= CACHE_LIMIT) {
        byProvider.clear();
        cached = 0;
      }
      if (!flat) {
        flat = new Map();
        byProvider.set(provider ?? '', flat);
      }
      flat.set(model, result ? flatPrice(result.model_price as unknown as Record<string, unknown>) : 'unknown');
      cached++;
    }
    return result ? result.total_price : undefined;
  };
}

/** A model's prices as flat numbers, or 'tiered' where any price the fast path uses depends on the call's size. */
function flatPrice(price: Record<string, unknown>): FlatPrice {
  const input = flatPart(price.input_mtok);
  const output = price.output_mtok === undefined ? 0 : flatPart(price.output_mtok);
  const cacheRead = price.cache_read_mtok === undefined ? input : flatPart(price.cache_read_mtok);
  const cacheWrite = price.cache_write_mtok === undefined ? input : flatPart(price.cache_write_mtok);
  if (input === undefined || output === undefined || cacheRead === undefined || cacheWrite === undefined)
    return 'tiered';
  return { input, output, cacheRead, cacheWrite };
}

/** Loads the price table once (at once where it can be read synchronously); later calls share the result. */
export function loadPriceFn(): Promise<PriceFn> {
  if (!loading) {
    let prices: GenaiPrices | undefined;
    try {
      prices = requirePriceTable();
    } catch {
      // No `require` from here (a bundled Worker): imported below.
    }
    if (prices) {
      loaded = priceFnFrom(prices);
      loading = Promise.resolve(loaded);
    } else {
      loading = import('@pydantic/genai-prices').then((imported) => {
        loaded = priceFnFrom(imported);
        return loaded;
      });
    }
  }
  return loading;
}

/** The price function if it is loaded already (after `loadPriceFn()`), else undefined. */
export function loadedPriceFn(): PriceFn | undefined {
  return loaded;
}

/** Cost as AgentOps prints it: "0.00" for nothing, otherwise six decimals. */
export function formatCost(usd: number): string {
  return usd > 0 && Number.isFinite(usd) ? usd.toFixed(6) : '0.00';
}

/**
 * `price`, saying once per model (through `warn`) that a model has no known price, so that its
 * cost counting as 0 is never silent.
 */
export function reportingUnknownModels(price: PriceFn, warn: (message: string) => void): PriceFn {
  const reported = new Set<string>();
  return (model, usage, provider) => {
    const usd = price(model, usage, provider);
    if (usd === undefined && !reported.has(model) && reported.size < 1000) {
      reported.add(model);
      warn(
        `no price is known for model ${JSON.stringify(model)}: its calls cost 0 unless a cost is given (said once per model).`,
      );
    }
    return usd;
  };
}

/**
 * The price function as soon as it is known (usually at once: the package is required
 * synchronously), each model without a price said once through `logger.info`.
 */
export class PriceSource {
  /** Undefined until prices have loaded, and for good if they could not be. */
  current: PriceFn | undefined;
  /** True once prices have loaded or failed to. */
  settled: boolean;
  /** Settles when prices have loaded (or failed to: costs are then unknown). */
  readonly loaded: Promise<void>;

  constructor(logger: { info(m: string): void; warn(m: string): void }) {
    const reporting = (price: PriceFn) => reportingUnknownModels(price, (m) => logger.info(m));
    const loading = loadPriceFn();
    const now = loadedPriceFn();
    this.current = now && reporting(now);
    this.settled = this.current !== undefined;
    this.loaded = loading.then(
      (price) => {
        this.current ??= reporting(price);
        this.settled = true;
      },
      (err: unknown) => {
        logger.warn(`LLM prices could not be loaded, costs will be 0: ${errorText(err)}`);
        this.settled = true;
      },
    );
  }
}
