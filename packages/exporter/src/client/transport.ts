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
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
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
    const text = await response.text().catch(() => '');
    return {
      status: response.status,
      statusText: response.statusText,
      retryAfter: response.headers.get('retry-after'),
      text,
    };
  };
}
