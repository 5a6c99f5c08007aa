import type { Answer, EndpointInput } from '../oidc/endpoint.js';
import type { Store } from '../store/index.js';
import { metricsAnswer } from './metrics-endpoint.js';
import type { HttpMetrics } from './metrics.js';

/** Where /metrics is served: here (optionally behind a bearer token), or not here when it has its own listener. */
export interface MetricsAccess {
  token?: string;
  separatePort?: boolean;
}

/** A route outside any tenant: `/healthz`, `/readyz`, `/metrics`, `/`. */
export interface TopLevelRoute {
  method: 'GET';
  path: string;
  answer: (input: EndpointInput) => Answer | Promise<Answer>;
}

const NO_STORE = { 'Cache-Control': 'no-store' } as const;
const status = (code: number, json: unknown): Answer => Object.freeze({ status: code, headers: NO_STORE, json });

const ALIVE = status(200, { status: 'ok' });
const READY = status(200, { status: 'ok', database: 'reachable' });
const SHUTTING_DOWN = status(503, { status: 'shutting down' });
const UNREACHABLE = status(503, { status: 'unavailable', database: 'unreachable' });

async function readiness(store: Store, isShuttingDown: () => boolean): Promise<Answer> {
  if (isShuttingDown()) return SHUTTING_DOWN;
  // Known down (store/guard.ts): say so at once; its probe notices the recovery.
  if (store.guard?.isDown) return UNREACHABLE;
  try {
    await Promise.race([store.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())]);
    return READY;
  } catch {
    return UNREACHABLE;
  }
}

export function topLevelRoutes(
  store: Store,
  metrics: HttpMetrics,
  isShuttingDown: () => boolean,
  access: MetricsAccess,
  publicUrl: string,
): TopLevelRoute[] {
  const index = Object.freeze({
    status: 200,
    json: { name: 'gatehouse', graphql: `${publicUrl}/graphql`, tenants: `${publicUrl}/t/{slug}/.well-known/openid-configuration` },
  });
  const routes: TopLevelRoute[] = [
    { method: 'GET', path: '/healthz', answer: () => ALIVE },
    { method: 'GET', path: '/readyz', answer: () => readiness(store, isShuttingDown) },
    { method: 'GET', path: '/', answer: () => index },
  ];
  // With METRICS_PORT, /metrics here is the 404 of every unknown path.
  const forMetrics = metricsAnswer(metrics, access.token);
  if (!access.separatePort) routes.push({ method: 'GET', path: '/metrics', answer: (input) => forMetrics(input.headers.authorization) });
  return routes;
}
