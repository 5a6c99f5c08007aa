import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { extensionMetrics } from '../claims/extension-metrics.js';
import type { Answer } from '../oidc/endpoint.js';
import { outboxMetrics } from '../events/outbox-metrics.js';
import type { HttpMetrics } from './metrics.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

const UNAUTHORIZED: Answer = Object.freeze({
  status: 401,
  headers: { 'Cache-Control': 'no-store', 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain' },
  body: 'unauthorized\n',
});

/**
 * GET /metrics in the Prometheus text format: the request metrics and the tenants'
 * extension counters (claims/extension-metrics.ts). With a token (METRICS_TOKEN) only
 * `Authorization: Bearer <token>` gets them; compared in constant time. An answer, so the
 * same function serves the main pipeline and a separate metrics listener (METRICS_PORT).
 */
export function metricsAnswer(metrics: HttpMetrics, token: string | undefined) {
  const expected = token ? digest(token) : null;
  return async (authorization: string | string[] | undefined): Promise<Answer> => {
    if (expected) {
      const m = /^Bearer +(\S+) *$/i.exec(typeof authorization === 'string' ? authorization : '');
      if (!m || !timingSafeEqual(digest(m[1]!), expected)) return UNAUTHORIZED;
    }
    const body = `${await metrics.registry.metrics()}\n${await extensionMetrics.metrics()}\n${await outboxMetrics.metrics()}`;
    return { status: 200, headers: { 'Cache-Control': 'no-store', 'Content-Type': metrics.registry.contentType }, body };
  };
}

/** The separate metrics listener of METRICS_PORT: /metrics and nothing else. */
export function createMetricsServer(metrics: HttpMetrics, token: string | undefined): Server {
  const answer = metricsAnswer(metrics, token);
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      answer(req.headers.authorization).then(
        (a) => res.writeHead(a.status, a.headers as Record<string, string>).end(a.body),
        () => {
          if (!res.headersSent) res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
}
