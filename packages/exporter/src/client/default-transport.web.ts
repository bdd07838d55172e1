/**
 * The default transport where there is no `node:http` (Workers, the Edge runtime): the runtime's
 * own `fetch`, looked up at each request so that a `fetch` patched later (a test's, a proxy's) is used.
 */
import { fetchTransport, type Transport } from './transport.js';

export function defaultTransport(): Transport {
  return fetchTransport((input, init) => fetch(input, init));
}
