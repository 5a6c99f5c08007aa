import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import { directEndpoints, form, type DirectEndpoint } from '../oidc/router.js';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { jsonErrorHandler } from './error-handler.js';
import type { HttpMetrics } from './metrics.js';
import { trackRequest } from './request-log.js';
import { applyHeaders, type HeaderList } from './security-headers.js';

/**
 * Serves the per-token endpoints (token, introspection, revocation, userinfo) of tenants
 * already in memory without the Express router, which otherwise walks the app's
 * middleware and the tenant router's ~30 routes for each of them.
 *
 * Parity with the routed answer is by construction: the request gets exactly what
 * Express would give it before the handler — Express's request and response
 * prototypes, the request id and log, metrics, the security headers, the same form
 * parser, the tenant, `req.url` relative to the tenant — then the same handler runs and
 * any error goes to the same error handler. Anything not matched exactly (another
 * method or spelling of the path, a tenant not loaded yet) goes to Express.
 */
export function directEndpointPath(rt: Runtime, app: Express, metrics: HttpMetrics, headers: HeaderList) {
  const table = new Map<string, DirectEndpoint>(directEndpoints(rt).map((e) => [`${e.method} ${e.path}`, e]));
  const onError = jsonErrorHandler(rt.log);

  /** True if the request was taken; `rest` is the URL after `/t/{slug}`. */
  return (req: IncomingMessage, res: ServerResponse, url: string, slug: string, rest: string): boolean => {
    const q = rest.indexOf('?');
    const endpoint = table.get(`${req.method} ${q < 0 ? rest : rest.slice(0, q)}`);
    if (!endpoint) return false;
    const tenant = rt.tenants.peek(slug);
    if (!tenant) return false;

    const request = Object.setPrototypeOf(req, app.request) as Request;
    const response = Object.setPrototypeOf(res, app.response) as Response;
    Object.assign(request, { res: response, originalUrl: url, baseUrl: `/t/${slug}`, url: rest });
    Object.assign(response, { req: request, locals: Object.assign(Object.create(null) as Record<string, unknown>, { tenant }) });
    trackRequest(rt.log, request, response, url);
    metrics.track(req.method!, url, res);
    applyHeaders(response, headers);

    const fail = (err: unknown): void => onError(err, request, response, () => undefined);
    const run = (): void => {
      try {
        const result = endpoint.handler(tenant as TenantContext, request, response);
        if (result instanceof Promise) result.catch(fail);
      } catch (err) {
        fail(err);
      }
    };
    if (endpoint.form) form(request, response, (err?: unknown) => (err ? fail(err) : run()));
    else run();
    return true;
  };
}
