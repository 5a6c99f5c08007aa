import { oauthError } from '../../errors/oauth-error.js';
import { isFapi2 } from '../fapi/profile.js';
import { parRequired, signedRequestObjectRequired } from '../par/policy.js';
import type { AuthorizeContext } from './context.js';

/**
 * How a request must arrive: pushed (RFC 9126 section 6, tenant setting or FAPI 2.0)
 * and/or as a signed request object (RFC 9101 section 10.5). Runs once the redirect URI
 * is trusted, so the refusal goes back to the client like other request errors.
 */
export function checkRequestPolicy(ctx: AuthorizeContext): void {
  const client = ctx.client!;
  if (!ctx.pushed && parRequired(ctx.tenant, client)) {
    throw oauthError(
      'invalid_request',
      isFapi2(ctx.tenant) ? 'FAPI 2.0: pushed authorization request required' : 'this client must use pushed authorization requests',
    );
  }
  if (!ctx.signedRequestObject && signedRequestObjectRequired(ctx.tenant, client))
    throw oauthError('invalid_request_object', 'a signed request object is required for this client');
}
