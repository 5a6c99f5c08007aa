import { Router } from 'express';
import type { Store } from '../store/index.js';
import { metricsHandler } from './metrics-endpoint.js';
import type { HttpMetrics } from './metrics.js';

/** Where /metrics is served: here (optionally behind a bearer token), or not here when it has its own listener. */
export interface MetricsAccess {
  token?: string;
  separatePort?: boolean;
}

export function healthRouter(store: Store, metrics: HttpMetrics, isShuttingDown: () => boolean, access: MetricsAccess = {}): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    // Known down (store/guard.ts): say so at once; its probe notices the recovery.
    if (store.guard?.isDown) {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
      return;
    }
    try {
      await Promise.race([store.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())]);
      res.json({ status: 'ok', database: 'reachable' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  // With METRICS_PORT, /metrics here falls through to the 404 of every unknown path.
  if (!access.separatePort) r.get('/metrics', metricsHandler(metrics, access.token));
  return r;
}
