import { oauthError } from '../../errors/oauth-error.js';
import { issueAccessToken } from '../access-token.js';
import { allowedScopes, parseScope } from '../scopes.js';
import type { GrantHandler } from '../token/grant.js';
import { tokenTypeFor } from '../token/dpop-binding.js';

/** RFC 6749 4.4. With no scope requested, every scope the client may use is granted. */
export const clientCredentials: GrantHandler = async ({ rt, tenant, client, body, dpop }) => {
  if (client.clientType !== 'CONFIDENTIAL') throw oauthError('unauthorized_client', 'client_credentials needs a confidential client');
  const requested = parseScope(body.scope);
  const scopes = requested.length
    ? allowedScopes(client, requested)
    : client.scopes.filter((s) => s !== 'openid' && s !== 'offline_access');
  if (scopes.includes('openid') || scopes.includes('offline_access')) {
    throw oauthError('invalid_scope', 'openid and offline_access need an end-user; client_credentials has none');
  }
  const at = await issueAccessToken(rt, tenant, { client, sub: client.clientId, scopes, jkt: dpop?.jkt });
  rt.events.emit(tenant, {
    type: 'TOKEN_ISSUED',
    clientId: client.clientId,
    data: { grantType: 'client_credentials', scope: scopes.join(' '), tokens: ['access_token'], jti: at.jti },
  });
  return {
    access_token: at.token,
    token_type: tokenTypeFor(dpop),
    expires_in: at.expiresIn,
    ...(scopes.length ? { scope: scopes.join(' ') } : {}),
  };
};
