import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { limits } from '../config/defaults.js';
import { isStoreUnavailable, RETRY_AFTER } from '../errors/unavailable.js';
import { INTERACTION_PATH } from '../sessions/browser-cookies.js';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { consent } from './consent.js';
import { InteractionError } from './interaction-error.js';
import { login } from './login.js';
import { renderMessagePage } from './pages/message-page.js';
import { selectAccount } from './select-account.js';
import { showPage } from './show-page.js';

type PageHandler = (tenant: TenantContext, req: Request, res: Response) => Promise<void>;

const form = express.urlencoded({ extended: false, limit: limits.bodyBytes, parameterLimit: 20 });

const page = (handler: PageHandler) => (req: Request, res: Response, next: NextFunction) => {
  handler(res.locals.tenant as TenantContext, req, res).catch(next);
};

/** The pages' routes below the issuer, for the http layer's route table (they are served by the router below). */
export const INTERACTION_ROUTES: { method: string; path: string }[] = [
  { method: 'GET', path: `${INTERACTION_PATH}/:uid` },
  { method: 'POST', path: `${INTERACTION_PATH}/:uid/login` },
  { method: 'POST', path: `${INTERACTION_PATH}/:uid/consent` },
  { method: 'POST', path: `${INTERACTION_PATH}/:uid/select-account` },
];

/**
 * The login, consent and account pages of one tenant, mounted below `/t/:slug` next to
 * the protocol router. They meet the authorization endpoint only through the stored
 * interaction: it is created there, completed here, and resumed there.
 */
export function interactionRouter(rt: Runtime): Router {
  const r = Router({ mergeParams: true });
  const base = `${INTERACTION_PATH}/:uid`;
  r.get(base, page(showPage(rt)));
  r.post(`${base}/login`, form, page(login(rt)));
  r.post(`${base}/consent`, form, page(consent(rt)));
  r.post(`${base}/select-account`, form, page(selectAccount(rt)));

  // Errors of these pages are pages too, never JSON.
  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const tenant = res.locals.tenant as TenantContext | undefined;
    if (!tenant || res.headersSent) return next(err);
    if (err instanceof InteractionError) return renderMessagePage(res, tenant, err.status, err.title, err.message);
    if (isStoreUnavailable(err)) {
      ((res.locals.log as Logger | undefined) ?? rt.log).warn(
        { reason: (err as Error).message },
        'database unavailable: page answered 503',
      );
      res.setHeader('Retry-After', RETRY_AFTER);
      return renderMessagePage(
        res,
        tenant,
        503,
        'Temporarily unavailable',
        'Sign-in is briefly unavailable. Wait a few seconds, then reload this page.',
      );
    }
    const status = (err as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return renderMessagePage(res, tenant, status, 'The form could not be read', 'Go back, reload the page and try again.');
    }
    ((res.locals.log as Logger | undefined) ?? rt.log).error({ err }, 'interaction page failed');
    renderMessagePage(
      res,
      tenant,
      500,
      'Something went wrong',
      'Something went wrong on our side. Return to the application and try again.',
    );
  });
  return r;
}
