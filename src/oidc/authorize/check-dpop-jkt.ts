import { oauthError } from '../../errors/oauth-error.js';
import { DPOP_JKT, dpopOffered, sameJkt } from '../dpop/index.js';
import type { AuthorizeContext } from './context.js';

/**
 * RFC 9449 10: `dpop_jkt`, the JWK SHA-256 thumbprint of the DPoP key that alone may
 * redeem the code. A malformed one is invalid_request (redirected: the redirect URI is
 * trusted by now). At PAR a DPoP proof counts as `dpop_jkt` (10.1); beside a `dpop_jkt`
 * of another key the request is refused with invalid_request (10.1 names no code; the
 * two contradict each other, and node-oidc-provider answers the same). Only a code is
 * bound: a response type without one has nothing to bind. Where the tenant takes no DPoP
 * proofs the parameter is ignored (code-binding.ts).
 */
export function checkDpopJkt(ctx: AuthorizeContext): void {
  if (!dpopOffered(ctx.tenant)) return;
  const jkt = ctx.params.get('dpop_jkt');
  if (jkt !== undefined && !DPOP_JKT.test(jkt))
    throw oauthError('invalid_request', 'dpop_jkt must be the base64url SHA-256 JWK thumbprint of a key (43 characters)');
  const proven = ctx.dpopProofJkt;
  if (proven !== undefined) {
    if (jkt !== undefined && !sameJkt(jkt, proven)) throw oauthError('invalid_request', 'the DPoP proof key does not match dpop_jkt');
    // Stored with the pushed request, so the code made from it is bound (RFC 9449 10.1).
    ctx.params.set('dpop_jkt', proven);
  }
  const bound = proven ?? jkt;
  if (bound !== undefined && ctx.request.responseType!.split(' ').includes('code')) ctx.request.dpopJkt = bound;
}
