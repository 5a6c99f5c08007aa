import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { checkClient } from './check-client.js';
import { readParams, type AuthorizationRequest, type AuthorizeContext, type AuthorizeStep } from './context.js';
import { decide } from './decide.js';
import { readPushedRequest } from './read-pushed-request.js';
import { requestSteps } from './request-steps.js';
import { sendAuthorizeError } from './send-error.js';

export { resume } from './resume.js';

/**
 * The authorization endpoint (OIDC Core 3.1.2), as named steps in order: find the
 * client, take the pushed request its request_uri names (RFC 9126), then validate
 * (request-steps.ts). Until the redirect URI is trusted, errors are an HTML page; the
 * steps after it fail back to the client.
 */
const steps: AuthorizeStep[] = [checkClient, readPushedRequest, ...requestSteps];

/** GET (query) and POST (form body) `{issuer}/authorize`. */
export function authorize(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const source = req.method === 'POST' ? req.body : req.query;
    const ctx: AuthorizeContext = { rt, tenant, req, res, ...readParams(source), request: {} };
    try {
      for (const step of steps) await step(ctx);
      await decide({ rt, tenant, req, res, client: ctx.client!, request: ctx.request as AuthorizationRequest }, {});
    } catch (err) {
      const target = ctx.redirectUri
        ? { tenant, redirectUri: ctx.redirectUri, responseMode: ctx.responseMode ?? 'query', state: ctx.state }
        : undefined;
      sendAuthorizeError(res, tenant, target, err, (res.locals.log as Logger | undefined) ?? rt.log);
    }
  };
}
