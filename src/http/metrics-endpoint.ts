import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extensionMetrics } from '../claims/extension-metrics.js';
import { outboxMetrics } from '../events/outbox-metrics.js';
import type { HttpMetrics } from './metrics.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * GET /metrics in the Prometheus text format: the request metrics and the tenants'
 * extension counters (claims/extension-metrics.ts). With a token (METRICS_TOKEN) only
 * `Authorization: Bearer <token>` gets them; compared in constant time. Plain node:http
 * so the same handler serves the main app and a separate metrics listener (METRICS_PORT).
 */
export function metricsHandler(metrics: HttpMetrics, token: string | undefined) {
  const expected = token ? digest(token) : null;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    if (expected) {
      const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
      if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain' }).end('unauthorized\n');
        return;
      }
    }
    const body = `${await metrics.registry.metrics()}\n${await extensionMetrics.metrics()}\n${await outboxMetrics.metrics()}`;
    res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body);
  };
}

/** The separate metrics listener of METRICS_PORT: /metrics and nothing else. */
export function createMetricsServer(metrics: HttpMetrics, token: string | undefined): Server {
  const handle = metricsHandler(metrics, token);
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
}
