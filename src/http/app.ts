import type { RequestListener } from 'node:http';
import express, { type RequestHandler } from 'express';
import { notFound } from '../errors/oauth-error.js';
import { INTERACTION_ROUTES, interactionRouter } from '../interaction/router.js';
import { LEGACY_ROUTES, legacyOidcRouter, oidcRoutes } from '../oidc/router.js';
import type { Runtime } from '../runtime.js';
import { AnswerWriter } from './answer-writer.js';
import { jsonErrorHandler } from './error-handler.js';
import { topLevelRoutes } from './health.js';
import { HttpMetrics } from './metrics.js';
import { Pipeline, type TenantRoute } from './pipeline.js';
import { securityHeaders } from './security-headers.js';

export interface AppOptions {
  /** The admin GraphQL handler, built by admin/ (kept out of here so http stays thin). */
  adminHandler?: RequestHandler;
  isShuttingDown?: () => boolean;
  metrics?: HttpMetrics;
}

/**
 * The Express part of the pipeline: `/graphql` (Apollo's Express integration) and the
 * HTML pages with forms. The pipeline has already given the request its id, security
 * headers, log, metrics and tenant (`res.locals.tenant`) when it gets here.
 */
function expressPart(rt: Runtime, adminHandler: RequestHandler | undefined) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', rt.config.trustProxy);
  app.set('etag', false);
  if (adminHandler) app.use('/graphql', adminHandler);
  app.use('/t/:slug', legacyOidcRouter(rt), interactionRouter(rt));
  app.use((_req, _res, next) => next(notFound('no route for this method and path')));
  app.use(jsonErrorHandler(rt.log));
  return app;
}

/**
 * The HTTP request listener: the one pipeline (http/pipeline.ts) for every path. No
 * listening, no side effects (tests build it directly).
 */
export function createApp(rt: Runtime, opts: AppOptions = {}): RequestListener {
  const security = securityHeaders(rt.config.publicUrl);
  const metrics = opts.metrics ?? new HttpMetrics(false);
  const viaExpress = (r: { method: string; path: string }): TenantRoute => ({ ...r, express: true });
  const pipeline = new Pipeline({
    log: rt.log,
    publicUrl: rt.config.publicUrl,
    trustProxy: rt.config.trustProxy,
    tenants: rt.tenants,
    metrics,
    security,
    writer: new AnswerWriter(security),
    tenantRoutes: [...oidcRoutes(rt), ...LEGACY_ROUTES.map(viaExpress), ...INTERACTION_ROUTES.map(viaExpress)],
    topLevelRoutes: topLevelRoutes(
      rt.store,
      metrics,
      opts.isShuttingDown ?? (() => false),
      { token: rt.config.metricsToken, separatePort: rt.config.metricsPort !== undefined },
      rt.config.publicUrl,
    ),
    express: expressPart(rt, opts.adminHandler) as unknown as RequestListener,
  });
  return pipeline.listener;
}
