import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

/**
 * A nonce is required exactly when the authorization endpoint itself returns an ID token
 * (OIDC Core 3.2.2.1, 3.3.2.11): `id_token`, `id_token token`, `code id_token` and
 * `code id_token token`. `code` and `code token` may omit it.
 */
export function checkNonce(ctx: AuthorizeContext): void {
  const nonce = ctx.params.get('nonce');
  if (nonce !== undefined && nonce.length > 512) throw oauthError('invalid_request', 'nonce is too long');
  const idTokenFromAuthorize = ctx.request.responseType!.split(' ').includes('id_token');
  if (idTokenFromAuthorize && nonce === undefined)
    throw oauthError('invalid_request', 'nonce is required when an ID token is returned from the authorization endpoint');
  ctx.request.nonce = nonce;
}
