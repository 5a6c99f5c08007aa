import type { NextFunction, Request, Response } from 'express';
import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per app (tests build several apps in one process). */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor(collectDefaults = true) {
    if (collectDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    this.requests = new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests by route template (tenant slugs are not labels: 10,000 tenants would explode the series)',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  /** Counts one finished request; `route` is a template from routeLabel. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  /** Observes the request when its answer has been sent. */
  track(method: string, url: string, res: ServerResponse): void {
    const start = process.hrtime.bigint();
    res.on('finish', () => this.observe(method, routeLabel(url), res.statusCode, Number(process.hrtime.bigint() - start) / 1e9));
  }

  middleware = (req: Request, res: Response, next: NextFunction): void => {
    this.track(req.method, req.originalUrl, res);
    next();
  };
}

const TOP_LEVEL = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/']);

/** `/t/acme/token` → `/t/:slug/token`; unknown paths collapse into one label. String work only: it runs per request. */
export function routeLabel(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.startsWith('/t/')) {
    const slash = path.indexOf('/', 3);
    if (slash === 3 || path.length === 3) return 'other';
    return slash < 0 ? '/t/:slug' : `/t/:slug${path.slice(slash)}`.slice(0, 80);
  }
  return TOP_LEVEL.has(path) ? path : 'other';
}
