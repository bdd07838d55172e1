/**
 * The price table (`@pydantic/genai-prices`, its bundled data), read synchronously through Node's
 * `require`, which loads the package's CommonJS build: parsing it blocks for tens of milliseconds,
 * better once while the exporter is set up than in the middle of the app's work. Made when called,
 * not when the module loads: where there is no module URL (a bundled Worker) it throws, and the
 * caller imports the table instead. `price-table.web.ts` always leaves it to the import.
 */
import { createRequire } from 'node:module';

export type GenaiPrices = typeof import('@pydantic/genai-prices');

export function requirePriceTable(): GenaiPrices | undefined {
  return createRequire(import.meta.url)('@pydantic/genai-prices') as GenaiPrices;
}
