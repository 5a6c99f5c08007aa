import type { AuthorizeContext } from '../authorize/context.js';
import { fapiRefusal, isFapi2 } from './profile.js';

/**
 * FAPI 2.0 SP 5.3.2.2 at the authorization and PAR endpoints (after the response type,
 * redirect URI and PKCE are read): response_type code only (no implicit or hybrid),
 * PKCE with S256, redirect_uri sent explicitly, and the code delivered by query or
 * form_post, never in a fragment (the implicit flow's transport; see docs).
 */
export function checkFapiAuthorizationRequest(ctx: AuthorizeContext): void {
  if (!isFapi2(ctx.tenant)) return;
  if (ctx.request.responseType !== 'code') throw fapiRefusal('unsupported_response_type', 'response_type code required');
  if (ctx.request.responseMode === 'fragment') throw fapiRefusal('invalid_request', 'response_mode fragment is not allowed');
  if (ctx.request.codeChallengeMethod !== 'S256') throw fapiRefusal('invalid_request', 'PKCE with S256 required');
  if (!ctx.params.has('redirect_uri')) throw fapiRefusal('invalid_request', 'redirect_uri required');
}
