import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { SLUG_PATTERN } from '../config/defaults.js';
import { notFound, oauthError } from '../errors/oauth-error.js';
import { isStoreUnavailable } from '../errors/unavailable.js';
import type { Answer, AnswerHeaders, EndpointRoute } from '../oidc/endpoint.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { AnswerWriter } from './answer-writer.js';
import { declaresOversizeBody, sendBodyTooLarge } from './body-limit.js';
import { hasBody, readBody } from './body.js';
import { errorAnswer, logError, toOAuthError } from './error-handler.js';
import type { TopLevelRoute } from './health.js';
import { routeLabel, type HttpMetrics } from './metrics.js';
import { isBrowserPath, OUTAGE_PAGE } from './outage-page.js';
import { lazyRequestLog, logRequest, requestId } from './request-log.js';
import { RequestInput } from './request-input.js';
import { BadPathError, RouteTable } from './route-table.js';
import { applyHeaders, type HeaderList } from './security-headers.js';

/** A tenant route served by the Express part (the HTML pages with forms), not by an endpoint. */
export interface ExpressRoute {
  method: string;
  path: string;
  express: true;
}

export type TenantRoute = EndpointRoute | ExpressRoute;

export interface PipelineParts {
  log: Logger;
  publicUrl: string;
  trustProxy: boolean;
  tenants: TenantRegistry;
  metrics: HttpMetrics;
  security: HeaderList;
  writer: AnswerWriter;
  tenantRoutes: readonly TenantRoute[];
  topLevelRoutes: readonly TopLevelRoute[];
  /** The Express part: `/graphql` and the routes marked `express`; it finds the tenant in `res.locals.tenant`. */
  express: (req: IncomingMessage, res: ServerResponse) => void;
}

/** One request on its way through the pipeline. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  start: bigint;
  url: string;
  method: string;
  id: string;
  /** The metrics label when the route already tells it (see `labels`); else worked out from the URL at the end. */
  label?: string;
}

const NO_ROUTE = () => notFound('no route for this method and path');

/**
 * The one request pipeline (docs/architecture.md "One request's path"). Every request,
 * whatever its path, gets the same prelude: a request id (X-Request-Id), the body limit
 * (413 before a byte is read), the security headers, metrics and the access-log line;
 * below `/t/{slug}` the tenant (from memory, or loaded through the registry: unknown 404,
 * outage 503), then the route table, the body parser of the route, the endpoint, and the
 * one error mapping. Express serves only what it earns its keep for (`/graphql` through
 * Apollo's integration and the HTML pages with forms), after the same prelude.
 */
export class Pipeline {
  private readonly tenantTable: RouteTable<TenantRoute>;
  private readonly topTable: RouteTable<TopLevelRoute>;
  private readonly publicUrl: string;
  /**
   * The metrics label of each fixed tenant route, for a request whose path below the slug
   * is exactly the route's: the label routeLabel gives such a URL (it depends only on
   * that part), worked out once instead of per request.
   */
  private readonly labels = new Map<TenantRoute, string>();

  constructor(private readonly p: PipelineParts) {
    this.tenantTable = new RouteTable(p.tenantRoutes);
    this.topTable = new RouteTable(p.topLevelRoutes);
    this.publicUrl = p.publicUrl.replace(/\/$/, '');
    for (const r of p.tenantRoutes) if (!r.path.includes(':')) this.labels.set(r, routeLabel(`/t/x${r.path}`));
  }

  readonly listener: RequestListener = (req, res) => {
    const x: Exchange = { req, res, start: process.hrtime.bigint(), url: req.url ?? '/', method: req.method ?? 'GET', id: requestId(req) };
    if (declaresOversizeBody(req)) {
      sendBodyTooLarge(res, this.p.security, x.id);
      this.done(x, 413);
      return;
    }
    const q = x.url.indexOf('?');
    const path = q < 0 ? x.url : x.url.slice(0, q);
    const query = q < 0 ? '' : x.url.slice(q + 1);
    if (path.startsWith('/t/')) return this.tenantRequest(x, path, query);
    const lower = path.toLowerCase();
    if (lower === '/graphql' || lower.startsWith('/graphql/')) return this.handOver(x, undefined);
    this.topLevel(x, path, query);
  };

  private topLevel(x: Exchange, path: string, query: string): void {
    let m;
    try {
      m = this.topTable.match(x.method, path);
    } catch (err) {
      return this.fail(x, err);
    }
    if (m.kind === 'none') return this.fail(x, NO_ROUTE());
    if (m.kind === 'method-not-allowed') return this.methodNotAllowed(x, m.allow);
    const input = this.input(x, path, query, m.params, undefined);
    this.settle(x, () => m.route.answer(input));
  }

  private tenantRequest(x: Exchange, path: string, query: string): void {
    const slash = path.indexOf('/', 3);
    const raw = slash < 0 ? path.slice(3) : path.slice(3, slash);
    const rest = slash < 0 ? '/' : path.slice(slash);
    if (!raw) return this.fail(x, NO_ROUTE());
    let slug = raw;
    if (raw.includes('%')) {
      try {
        slug = decodeURIComponent(raw);
      } catch {
        return this.fail(x, new BadPathError('malformed %-escape in the path'));
      }
    }
    // A tenant in memory passed the slug check when it was loaded.
    const cached = this.p.tenants.peek(slug);
    if (cached) return this.route(x, cached, rest, query);
    // Not a possible slug: answered without a lookup (and without filling the negative cache).
    if (!SLUG_PATTERN.test(slug)) return this.fail(x, notFound('unknown tenant'));
    this.p.tenants.get(slug).then(
      (tenant) => (tenant ? this.route(x, tenant, rest, query) : this.fail(x, notFound('unknown tenant'))),
      (err: unknown) => {
        // A page a browser shows gets a page, not JSON, when the tenant cannot even be loaded.
        if (isStoreUnavailable(err) && isBrowserPath(x.url)) {
          this.log(x).warn({ reason: (err as Error).message }, 'database unavailable: answered 503');
          return this.answer(x, OUTAGE_PAGE);
        }
        this.fail(x, err);
      },
    );
  }

  private route(x: Exchange, tenant: TenantContext, rest: string, query: string): void {
    let m;
    try {
      m = this.tenantTable.match(x.method, rest);
    } catch (err) {
      return this.fail(x, err);
    }
    if (m.kind === 'none') return this.fail(x, NO_ROUTE());
    if (m.kind === 'method-not-allowed') return this.methodNotAllowed(x, m.allow);
    const route = m.route;
    if (rest === route.path) x.label = this.labels.get(route);
    if ('express' in route) return this.handOver(x, tenant);
    const run = (body: unknown): void => {
      const input = this.input(x, rest, query, m.params, body);
      this.settle(x, () => route.endpoint(tenant, input), route.headers);
    };
    if (!route.body || !hasBody(x.req)) return run(undefined);
    readBody(x.req, x.res, route.body).then(run, (err: unknown) => this.fail(x, err, route.headers));
  }

  private input(x: Exchange, path: string, query: string, params: Record<string, string>, body: unknown): RequestInput {
    return new RequestInput(x.req, path, query, params, body, this.publicUrl + x.url, this.p.trustProxy, () => this.log(x));
  }

  /** Runs an endpoint and writes what it answers, or what it throws as an error answer. */
  private settle(x: Exchange, call: () => Answer | Promise<Answer>, routeHeaders?: AnswerHeaders): void {
    let out: Answer | Promise<Answer>;
    try {
      out = call();
    } catch (err) {
      return this.fail(x, err, routeHeaders);
    }
    if (out instanceof Promise)
      out.then(
        (a) => this.answer(x, a, routeHeaders),
        (err: unknown) => this.fail(x, err, routeHeaders),
      );
    else this.answer(x, out, routeHeaders);
  }

  private methodNotAllowed(x: Exchange, allow: string): void {
    this.answer(x, {
      ...errorAnswer(oauthError('method_not_allowed', `use ${allow}`)),
      headers: { Allow: allow, 'Cache-Control': 'no-store' },
    });
  }

  /** The one error mapping of the protocol surface (http/error-handler.ts): OAuth JSON, 503 with Retry-After for an outage. */
  private fail(x: Exchange, err: unknown, routeHeaders?: AnswerHeaders): void {
    const e = toOAuthError(err);
    logError(err, e, this.log(x));
    if (x.res.headersSent) {
      x.res.end();
      return;
    }
    this.answer(x, errorAnswer(e, routeHeaders));
  }

  /** Writes the answer with the route's headers (the answer's own win: oidc/endpoint.ts EndpointRoute). */
  private answer(x: Exchange, answer: Answer, routeHeaders?: AnswerHeaders): void {
    this.p.writer.write(x.res, answer, x.id, routeHeaders);
    this.done(x, answer.status);
  }

  /** To the Express part, with the prelude applied the Express way (headers set on the response, log and metrics on finish). */
  private handOver(x: Exchange, tenant: TenantContext | undefined): void {
    const { res } = x;
    res.setHeader('X-Request-Id', x.id);
    applyHeaders(res, this.p.security);
    const locals = Object.create(null) as Record<string, unknown>;
    if (tenant) locals.tenant = tenant;
    lazyRequestLog(locals, this.p.log, x.id);
    (res as ServerResponse & { locals?: unknown }).locals = locals;
    res.once('finish', () => this.done(x, res.statusCode));
    this.p.express(x.req, res);
  }

  private done(x: Exchange, status: number): void {
    this.p.metrics.observe(x.method, x.label ?? routeLabel(x.url), status, Number(process.hrtime.bigint() - x.start) / 1e9);
    if (this.p.log.isLevelEnabled('info')) logRequest(this.p.log, x.id, x.method, x.url, status, x.start);
  }

  private log(x: Exchange): Logger {
    return this.p.log.child({ reqId: x.id });
  }
}
