import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { paths } from '../oidc/capabilities.js';
import { INTERACTION_PATH } from '../sessions/browser-cookies.js';
import { RequestSeries, type Series } from './request-series.js';

/** One registry per app (tests build several apps in one process). */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly numbers: RequestSeries;

  constructor(collectDefaults = true) {
    if (collectDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    this.numbers = new RequestSeries(
      this.registry,
      {
        name: 'gatehouse_http_requests_total',
        help: 'HTTP requests by route template (tenant slugs are not labels: 10,000 tenants would explode the series)',
      },
      {
        name: 'gatehouse_http_request_duration_seconds',
        help: 'HTTP request latency by route template',
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      },
    );
  }

  /**
   * The series by route, method and status: made once each, then found by three lookups
   * on the very strings and number the request carries (a key built per request would be
   * a new string to hash every time). Bounded: routes are templates, node knows a fixed
   * set of methods, statuses are numbers the server answers.
   */
  private readonly series = new Map<string, Map<string, Map<number, { count: { n: number }; time: Series }>>>();

  /** Counts one finished request; `route` is a template from routeLabel. */
  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.series.get(route);
    if (!byMethod) this.series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) {
      const m = METHODS.has(method) ? method : 'other';
      s = {
        count: this.numbers.counterCell({ method: m, route, status: String(status) }),
        time: this.numbers.histogramSeries({ method: m, route }),
      };
      byStatus.set(status, s);
    }
    s.count.n++;
    this.numbers.observe(s.time, seconds);
  }

  /** Observes the request when its answer has been sent. */
  track(method: string, url: string, res: ServerResponse): void {
    const start = process.hrtime.bigint();
    res.on('finish', () => this.observe(method, routeLabel(url), res.statusCode, Number(process.hrtime.bigint() - start) / 1e9));
  }
}

/** Methods as labels; anything else (Node accepts a few dozen) is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

const TOP_LEVEL = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/']);

/** Fixed paths below `/t/{slug}` (oidc/router.ts). */
const TENANT_STATIC = new Map([...Object.values(paths), `${paths.checkSession}/origin`].map((p) => [p, `/t/:slug${p}`]));
const INTERACTION_SEGMENT = INTERACTION_PATH.slice(1);
const INTERACTION_ACTIONS = new Set(['login', 'consent', 'select-account']);

/** Paths below the slug with an id in them: the id becomes its parameter name, the rest must be one of the routes. */
function tenantTemplate(rest: string): string {
  const parts = rest.split('/');
  if (parts.length < 3 || parts.length > 4 || parts.some((p, i) => i > 0 && !p)) return 'other';
  const [, first, , last] = parts;
  if (first === INTERACTION_SEGMENT) {
    if (parts.length === 3) return '/t/:slug/interaction/:uid';
    return INTERACTION_ACTIONS.has(last!) ? `/t/:slug/interaction/:uid/${last}` : 'other';
  }
  if (parts.length === 3 && `/${first}` === paths.registration) return '/t/:slug/register/:clientId';
  if (parts.length === 4 && `/${first}` === paths.authorize && parts[2] === 'resume') return '/t/:slug/authorize/resume/:uid';
  return 'other';
}

/**
 * The label of a request path: a route template from the fixed set of routes
 * (`/t/acme/interaction/Xy9…/login` → `/t/:slug/interaction/:uid/login`), `other` for
 * anything else. Never a piece of the path itself: paths are chosen by the caller, and
 * every distinct label is a new series (issue 12 finding 5; docs/security.md "Metrics").
 * Tenant slugs are not labels either (10,000 tenants). String work only: it runs per request.
 */
export function routeLabel(url: string): string {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path.startsWith('/t/')) {
    const slash = path.indexOf('/', 3);
    if (slash === 3 || path.length === 3) return 'other';
    if (slash < 0) return '/t/:slug';
    const rest = path.slice(slash);
    return TENANT_STATIC.get(rest) ?? tenantTemplate(rest);
  }
  return TOP_LEVEL.has(path) ? path : 'other';
}
