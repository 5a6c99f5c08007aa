import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { checkClient } from './check-client.js';
import { readParams, type AuthorizationRequest, type AuthorizeContext, type AuthorizeStep } from './context.js';
import { decide } from './decide.js';
import { readPushedRequest } from './read-pushed-request.js';
import { requestSteps } from './request-steps.js';
import { withCookies, type Answer, type Endpoint } from '../endpoint.js';
import { authorizeErrorAnswer } from './send-error.js';

export { resume } from './resume.js';

/**
 * The authorization endpoint (OIDC Core 3.1.2), as named steps in order: find the
 * client, take the pushed request its request_uri names (RFC 9126), then validate
 * (request-steps.ts). Until the redirect URI is trusted, errors are an HTML page; the
 * steps after it fail back to the client.
 */
const steps: AuthorizeStep[] = [checkClient, readPushedRequest, ...requestSteps];

/** GET (query) and POST (form body) `{issuer}/authorize`. */
export function authorize(rt: Runtime): Endpoint {
  return async (tenant: TenantContext, input): Promise<Answer> => {
    const source = input.method === 'POST' ? input.body : input.query;
    const ctx: AuthorizeContext = { rt, tenant, input, ...readParams(source), request: {} };
    const cookies: string[] = [];
    try {
      for (const step of steps) await step(ctx);
      const { answer } = await decide(
        { rt, tenant, input, cookies, client: ctx.client!, request: ctx.request as AuthorizationRequest },
        {},
      );
      return withCookies(answer, cookies);
    } catch (err) {
      const target = ctx.redirectUri
        ? { tenant, redirectUri: ctx.redirectUri, responseMode: ctx.responseMode ?? 'query', state: ctx.state }
        : undefined;
      return withCookies(authorizeErrorAnswer(tenant, target, err, input.log), cookies);
    }
  };
}
