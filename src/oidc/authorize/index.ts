import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { checkAcr } from './check-acr.js';
import { checkClaims } from './check-claims.js';
import { checkClient } from './check-client.js';
import { checkHints } from './check-hints.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import { checkNonce } from './check-nonce.js';
import { checkPkce } from './check-pkce.js';
import { checkPrompt } from './check-prompt.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkResource } from './check-resource.js';
import { checkResponseMode } from './check-response-mode.js';
import { checkResponseType } from './check-response-type.js';
import { checkScope } from './check-scope.js';
import { readParams, type AuthorizationRequest, type AuthorizeContext, type AuthorizeStep } from './context.js';
import { decide } from './decide.js';
import { readRequestObjectStep } from './read-request-object.js';
import { rejectRepeatedParameters } from './reject-repeated-parameters.js';
import { sendAuthorizeError } from './send-error.js';

export { resume } from './resume.js';

/**
 * The authorization endpoint (OIDC Core 3.1.2), as named steps in order. The first
 * three establish whom we may redirect to (a request object, if any, is read first: its
 * redirect_uri and response_mode count); until they pass, errors are an HTML page. The
 * steps after them validate everything else and fail back to the client.
 */
const steps: AuthorizeStep[] = [
  checkClient,
  readRequestObjectStep,
  checkRedirectUri,
  checkResponseMode,
  rejectRepeatedParameters,
  checkResponseType,
  checkPrompt,
  checkScope,
  checkNonce,
  checkPkce,
  checkClaims,
  checkAcr,
  checkHints,
  checkResource,
  checkIdTokenHint,
];

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
