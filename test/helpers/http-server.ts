/**
 * A local HTTP server for the steps-library tests: answers by route, records every request
 * (method, path, headers, body) so a test can check what a step really sent.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The request target exactly as sent (path and query string, still percent-encoded). */
  target: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a route answers. */
export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A fixed reply, or one computed from the request and how many times the route was hit (1-based). */
export type Route = Reply | ((request: RecordedRequest, hit: number) => Reply);

/** A running server; `url(path)` is its address on 127.0.0.1. */
export interface TestHttpServer {
  port: number;
  url(path: string): string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Adds or replaces a route (exact path, query string ignored). */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** Starts a server on a free loopback port; unknown paths answer 404. */
export async function startHttpServer(routes: Record<string, Route> = {}): Promise<TestHttpServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const recorded: RecordedRequest = { method: req.method ?? '', path, target: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      const route = table.get(path);
      const reply = route === undefined ? { status: 404, body: 'not found' } : typeof route === 'function' ? route(recorded, hit) : route;
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    route: (path, route) => void table.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
