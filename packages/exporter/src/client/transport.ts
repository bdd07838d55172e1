/**
 * How the client puts one request on the wire. By default Node's own `http`/`https` with keep-alive
 * agents: a request costs a fraction of the objects `fetch` makes (Request, Headers, web streams,
 * an AbortSignal), which matters to the host app's garbage collector at thousands of events a
 * second. A `fetch` of the user's (a proxy-aware one, a test double) is used instead when given.
 */
import http from 'node:http';
import https from 'node:https';

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

export function nodeTransport(): Transport {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });
  return (url, request) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const headers = body ? { ...request.headers, 'content-length': String(body.length) } : request.headers;
      const req = (secure ? https : http).request(
        target,
        { method: request.method, headers, agent: secure ? httpsAgent : httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > request.maxResponseBytes) {
              req.destroy(new AnswerTooLarge(request.maxResponseBytes));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('end', () => {
            clearTimeout(timer);
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      // The whole exchange is bounded, not only the wait between two packets.
      const timer = setTimeout(
        () => req.destroy(new Error(`timed out after ${request.timeoutMillis} ms`)),
        request.timeoutMillis,
      );
      timer.unref();
      function fail(err: Error): void {
        clearTimeout(timer);
        reject(err);
      }
      req.on('error', fail);
      // Background delivery never holds the app's process open: an awaited flush does (bounded).
      if (!request.holdsProcess) req.on('socket', (socket) => socket.unref());
      req.end(body);
    });
}

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
    return Buffer.concat(chunks).toString('utf8');
  }
  return Buffer.concat(chunks).toString('utf8');
}
