import { oauthError } from '../../errors/oauth-error.js';
import { allowedScopes, parseScope } from '../scopes.js';
import type { AuthorizeContext } from './context.js';

/**
 * Scopes must be ones the client may request. Anything returning an ID token needs
 * `openid`. `offline_access` is kept only for code-returning requests with
 * prompt=consent by a client that may use refresh tokens (OIDC Core 11; docs/openid-connect.md);
 * otherwise it is dropped, not refused.
 */
export function checkScope(ctx: AuthorizeContext): void {
  const type = ctx.request.responseType!;
  const scopes = allowedScopes(ctx.client!, parseScope(ctx.params.get('scope')));
  if (type !== 'code' && !scopes.includes('openid')) throw oauthError('invalid_request', 'this response_type requires the openid scope');
  const offlineOk =
    type.split(' ').includes('code') && (ctx.request.prompt ?? []).includes('consent') && ctx.client!.grantTypes.includes('refresh_token');
  ctx.request.scopes = offlineOk ? scopes : scopes.filter((s) => s !== 'offline_access');
}
