import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

/** Implicit and hybrid flows must carry a nonce (OIDC Core 3.2.2.1, 3.3.2.11); code flows may. */
export function checkNonce(ctx: AuthorizeContext): void {
  const nonce = ctx.params.get('nonce');
  if (nonce !== undefined && nonce.length > 512) throw oauthError('invalid_request', 'nonce is too long');
  if (ctx.request.responseType !== 'code' && nonce === undefined) {
    throw oauthError('invalid_request', `nonce is required for response_type "${ctx.request.responseType}"`);
  }
  ctx.request.nonce = nonce;
}
