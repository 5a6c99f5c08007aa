import { Router } from 'express';
import { extensionMetrics } from '../claims/extension-metrics.js';
import type { Store } from '../store/index.js';
import type { HttpMetrics } from './metrics.js';

export function healthRouter(store: Store, metrics: HttpMetrics, isShuttingDown: () => boolean): Router {
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
  r.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    // The tenants' extensions count in their own registry (claims/extension-metrics.ts).
    res.end(`${await metrics.registry.metrics()}\n${await extensionMetrics.metrics()}`);
  });
  return r;
}
