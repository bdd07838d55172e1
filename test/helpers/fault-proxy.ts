/**
 * An HTTP proxy in front of the real server that misbehaves on demand: answers with an error status
 * (optionally with Retry-After), resets the connection, or hangs. Records what it saw, bodies included.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  /** Forwarded, after this long. */
  | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  fault: Fault['kind'];
  /** Its request line and headers, as they arrived. */
  head: string;
  /** Every byte of its body, as it arrived. */
  body: Buffer;
  /** When it arrived, and when its answer was complete (forwarded requests), in performance.now() ms. */
  arrivedAt: number;
  answeredAt?: number;
}

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Most forwarded requests that were in flight at once. */
  readonly maxInFlight: number;
  /** Decides each request's fate; default: pass everything. */
  setFault(decide: (req: { method: string; path: string; n: number }) => Fault): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let decide: (req: { method: string; path: string; n: number }) => Fault = () => ({ kind: 'pass' });
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  let n = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const fault = decide({ method: req.method ?? 'GET', path, n: n++ });
      const body = Buffer.concat(chunks);
      const record: ProxiedRequest = {
        method: req.method ?? 'GET',
        path,
        fault: fault.kind,
        head: `${req.method} ${path}\n${req.rawHeaders.join('\n')}`,
        body,
        arrivedAt: performance.now(),
      };
      requests.push(record);
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'hang') return;
      if (fault.kind === 'status') {
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
        });
        res.end(fault.body ?? JSON.stringify({ message: `injected ${fault.status}` }));
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => {
        inFlight--;
        record.answeredAt = performance.now();
      });
      const send = () => {
        const forward = http.request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        forward.on('error', () => req.socket.destroy());
        forward.end(body);
      };
      if (fault.kind === 'delay') setTimeout(send, fault.ms);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    setFault(fn) {
      decide = fn;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
