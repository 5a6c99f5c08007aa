import { oauthError } from '../../errors/oauth-error.js';
import { issueAccessToken } from '../../tokens/access-tokens.js';
import { requestedResources } from '../resource-indicators/requested.js';
import { scopesFor, tokenTarget } from '../resource-indicators/token-target.js';
import { allowedScopes, parseScope } from '../scopes.js';
import { tokenTypeFor } from '../token/dpop-binding.js';
import type { GrantTypeHandler } from '../token/grant-type.js';

/**
 * RFC 6749 4.4. With no scope requested, every scope the client may use is granted. With
 * `resource` (RFC 8707) the token is for those resource servers the client may ask for,
 * with only the scopes they accept (../resource-indicators/token-target.ts).
 */
export const clientCredentials: GrantTypeHandler = async ({ rt, tenant, client, body, dpop }) => {
  if (client.clientType !== 'CONFIDENTIAL') throw oauthError('unauthorized_client', 'client_credentials needs a confidential client');
  const requested = parseScope(body.scope);
  const target = await tokenTarget(tenant, client.clientId, requestedResources(tenant, body.resource), null);
  const allowed = requested.length
    ? allowedScopes(client, requested)
    : client.scopes.filter((s) => s !== 'openid' && s !== 'offline_access');
  if (allowed.includes('openid') || allowed.includes('offline_access')) {
    throw oauthError('invalid_scope', 'openid and offline_access need an end-user; client_credentials has none');
  }
  const scopes = scopesFor(allowed, target);
  const at = await issueAccessToken(rt, tenant, {
    client,
    sub: client.clientId,
    scopes,
    audience: target?.audience,
    format: target?.format,
    ttl: target?.ttl,
    jkt: dpop?.jkt,
  });
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
