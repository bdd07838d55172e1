/**
 * How the client puts one request on the wire: the shapes of a request and its answer, and the
 * `fetch` transport (a `fetch` of the user's, or the runtime's own where there is no `node:http`).
 * The default transport is the platform's (`default-transport.ts`).
 */
export interface TransportRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** JSON text. */
  body?: string;
  timeoutMillis: number;
  /** Most bytes of the answer read; a longer answer is abandoned (`AnswerTooLarge`). */
  maxResponseBytes: number;
  /**
   * False for background delivery: the request does not hold the process open (an awaited flush
   * does, bounded). True for a query the caller awaits.
   */
  holdsProcess: boolean;
}

/** The answer was longer than `maxResponseBytes`: not an answer of the AgentOps API. */
export class AnswerTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the answer was larger than ${limit} bytes`);
  }
}

export interface TransportResponse {
  status: number;
  statusText: string;
  retryAfter: string | null;
  text: string;
}

/** Sends one request; rejects with an Error when no answer came (refused, reset, timed out). */
export type Transport = (url: string, request: TransportRequest) => Promise<TransportResponse>;

export function fetchTransport(fetchFn: typeof fetch): Transport {
  return async (url, request) => {
    const response = await fetchFn(url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMillis),
    });
    const text = await readCapped(response, request.maxResponseBytes);
    return {
      status: response.status,
      statusText: response.statusText,
      retryAfter: response.headers.get('retry-after'),
      text,
    };
  };
}

/** The answer's text, reading at most `limit` bytes (rejects with AnswerTooLarge past it). */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new AnswerTooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof AnswerTooLarge) throw err;
    return utf8(chunks);
  }
  return utf8(chunks);
}

function utf8(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
