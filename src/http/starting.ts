import type { RequestListener } from 'node:http';
import { RETRY_AFTER } from '../errors/unavailable.js';

/**
 * What a process answers while it is still reaching the database at start (main.ts
 * listens first): alive (/healthz 200), not ready (/readyz 503), and 503
 * temporarily_unavailable with Retry-After for everything else, so a load balancer
 * keeps it out of rotation and a client that reaches it anyway is told to retry.
 */
export function startingListener(): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...headers,
      });
      res.end(text);
    };
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') return send(503, { status: 'starting', database: 'unreachable' });
    send(
      503,
      { error: 'temporarily_unavailable', error_description: 'the service is starting, try again shortly' },
      { 'Retry-After': RETRY_AFTER },
    );
  };
}
