import express, { type Express, type Request, type Response } from 'express';
import { notFound } from '../errors/oauth-error.js';
import type { Runtime } from '../runtime.js';
import { oidcRouter } from '../oidc/router.js';
import { interactionRouter } from '../interaction/router.js';
import { jsonErrorHandler } from './error-handler.js';
import { healthRouter } from './health.js';
import { outagePageHandler } from './outage-page.js';
import { HttpMetrics } from './metrics.js';
import { requestLog } from './request-log.js';
import { securityHeaders, securityHeadersMiddleware } from './security-headers.js';
import { resolveTenant } from './tenant-routing.js';
import type { RequestHandler } from 'express';

export interface AppOptions {
  /** The admin GraphQL handler, built by admin/ (kept out of here so http stays thin). */
  adminHandler?: RequestHandler;
  isShuttingDown?: () => boolean;
  metrics?: HttpMetrics;
}

/** The Express application: no listening, no side effects (tests build it directly). */
export function createApp(rt: Runtime, opts: AppOptions = {}): Express {
  const app = express();
  const metrics = opts.metrics ?? new HttpMetrics(false);
  app.disable('x-powered-by');
  app.set('trust proxy', rt.config.trustProxy);
  app.set('etag', false);
  app.use(requestLog(rt.log));
  app.use(metrics.middleware);
  app.use(securityHeadersMiddleware(securityHeaders(rt.config.publicUrl)));

  app.use(
    healthRouter(rt.store, metrics, opts.isShuttingDown ?? (() => false), {
      token: rt.config.metricsToken,
      separatePort: rt.config.metricsPort !== undefined,
    }),
  );
  if (opts.adminHandler) app.use('/graphql', opts.adminHandler);
  app.use('/t/:slug', resolveTenant(rt.tenants), oidcRouter(rt), interactionRouter(rt));
  app.get('/', (_req: Request, res: Response) => {
    res.json({
      name: 'gatehouse',
      graphql: `${rt.config.publicUrl}/graphql`,
      tenants: `${rt.config.publicUrl}/t/{slug}/.well-known/openid-configuration`,
    });
  });
  app.use((_req: Request, _res: Response, next) => next(notFound('no route for this method and path')));
  app.use(outagePageHandler());
  app.use(jsonErrorHandler(rt.log));
  return app;
}
