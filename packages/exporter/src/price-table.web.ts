/**
 * Web-API runtimes have no `require`: the caller imports the price table, which the app's bundler
 * has bundled (no file is read at run time).
 */
import type { GenaiPrices } from './price-table.js';

export type { GenaiPrices };

export function requirePriceTable(): GenaiPrices | undefined {
  return undefined;
}
