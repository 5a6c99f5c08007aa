import { oauthError } from '../../errors/oauth-error.js';
import { openRefreshToken, spendRefreshToken } from '../../tokens/refresh-tokens.js';
import { activeAuthorization } from '../../tokens/authorizations.js';
import { authorizationParties, issueTokenSet } from '../issue/token-set.js';
import { requestedResources } from '../resource-indicators/requested.js';
import { tokenTarget, type TokenTarget } from '../resource-indicators/token-target.js';
import { parseScope } from '../scopes.js';
import type { GrantTypeContext, GrantTypeHandler } from '../token/grant-type.js';

const invalid = (why: string) => oauthError('invalid_grant', why);

/** The requested scopes: the original ones by default, fewer allowed, more refused (RFC 6749 6). */
function refreshScopes(ctx: GrantTypeContext, granted: readonly string[]): string[] {
  const requested = parseScope(ctx.body.scope);
  const stillAllowed = granted.filter((s) => ctx.client.scopes.includes(s));
  if (!requested.length) return stillAllowed;
  const widened = requested.filter((s) => !stillAllowed.includes(s));
  if (widened.length) throw oauthError('invalid_scope', 'the requested scope was not originally granted');
  return requested;
}

/**
 * RFC 8707 2.2: a refresh may narrow the access token to some of the authorization's
 * resources. Checked before the token is spent, so a refused resource spends nothing (as a
 * refused widening of scope); an inactive authorization is left to the checks after spending.
 */
async function refreshTarget(ctx: GrantTypeContext, authorizationId: string): Promise<TokenTarget | null> {
  const requested = requestedResources(ctx.tenant, ctx.body.resource);
  const authorization = await activeAuthorization(ctx.rt, ctx.tenant, authorizationId);
  return authorization ? tokenTarget(ctx.tenant, ctx.client.clientId, requested, authorization.resource) : null;
}

/**
 * RFC 6749 6 with rotation on every use (RFC 9700 4.14.2), public clients included. The
 * token's lifecycle — sealing, single use, reuse detection and the tenant's reuse grace
 * window — is the tokens domain's (tokens/refresh-tokens.ts); this keeps the protocol
 * rules: the client binding, scope narrowing and the error codes. A refused widening of
 * scope spends nothing; a token presented by the wrong client is spent (it has leaked)
 * and refused. Within the grace window a spent token of its client is a retry and gets a
 * new token set; the authorization is checked as for any refresh, so a revoked family
 * stays dead.
 */
export const refreshToken: GrantTypeHandler = async (ctx) => {
  const { rt, tenant, client, body } = ctx;
  const token = body.refresh_token;
  if (typeof token !== 'string' || !token) throw oauthError('invalid_request', 'refresh_token is required');
  const claims = openRefreshToken(rt, tenant, token);
  if (!claims) throw invalid('unknown refresh token');
  if (claims.expiresAt.getTime() <= tenant.clock.now()) throw invalid('the refresh token has expired');
  const own = claims.clientId === client.clientId;
  // RFC 9449 5: checked before the token is spent, so a thief's proof with another key
  // (or none) does not burn the holder's token.
  if (own && claims.jkt && claims.jkt !== ctx.dpop?.jkt) throw invalid('the refresh token is bound to another DPoP key');
  const scopes = own ? refreshScopes(ctx, claims.scopes) : [];
  const target = own ? await refreshTarget(ctx, claims.grantId) : null;
  if ((await spendRefreshToken(rt, tenant, token, claims, client.clientId)) === 'reused')
    throw invalid('the refresh token was already used');
  if (!own) throw invalid('the refresh token was issued to another client');
  const parties = await authorizationParties(rt, tenant, claims.grantId);
  if (!parties.authorization.offlineAccess) throw invalid('the grant does not allow refresh');
  return issueTokenSet(rt, tenant, {
    ...parties,
    client,
    scopes,
    target,
    withRefreshToken: true,
    withNonce: false,
    grantType: 'refresh_token',
    jkt: ctx.dpop?.jkt,
  });
};
