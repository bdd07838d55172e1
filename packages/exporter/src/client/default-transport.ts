/**
 * The default transport on Node.js (and Bun, Deno): Node's own `http`/`https` with keep-alive
 * agents: a request costs a fraction of the objects `fetch` makes (Request, Headers, web streams,
 * an AbortSignal), which matters to the host app's garbage collector at thousands of events a
 * second. Web-API runtimes build `default-transport.web.ts` instead.
 */
import http from 'node:http';
import https from 'node:https';
import { AnswerTooLarge, type Transport, type TransportResponse } from './transport.js';

export function defaultTransport(): Transport {
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
