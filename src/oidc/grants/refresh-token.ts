import { oauthError } from '../../errors/oauth-error.js';
import type { RefreshTokenRecord } from '../../store/models/refresh-token.js';
import { grantParties, issueTokenSet } from '../issue/token-set.js';
import { parseScope } from '../scopes.js';
import type { GrantContext, GrantHandler } from '../token/grant.js';

const invalid = (why: string) => oauthError('invalid_grant', why);

/** A rotated-out token presented again means the family leaked: revoke all of it. */
async function revokeFamily({ rt, tenant }: GrantContext, rec: RefreshTokenRecord): Promise<never> {
  await tenant.store.grants.revoke(rec.grantId);
  rt.log.warn({ tenant: tenant.slug, clientId: rec.clientId, grantId: rec.grantId }, 'refresh token reused: grant revoked');
  throw invalid('the refresh token was already used');
}

/** The requested scopes: the original ones by default, fewer allowed, more refused (RFC 6749 6). */
function refreshScopes(ctx: GrantContext, rec: RefreshTokenRecord): string[] {
  const requested = parseScope(ctx.body.scope);
  const stillAllowed = rec.scopes.filter((s) => ctx.client.scopes.includes(s));
  if (!requested.length) return stillAllowed;
  const widened = requested.filter((s) => !stillAllowed.includes(s));
  if (widened.length) throw oauthError('invalid_scope', `not originally granted: ${widened.join(' ')}`);
  return requested;
}

/**
 * RFC 6749 6 with rotation on every use (RFC 9700 4.14.2), public clients included.
 * The token is rotated out first, in one atomic update: of concurrent exchanges of one
 * token exactly one gets the record, and a token presented by the wrong client or past
 * its end is spent as well (it has leaked or is useless). Only a failed rotation reads
 * the token, to tell reuse (revoke the family) from an unknown token.
 */
export const refreshToken: GrantHandler = async (ctx) => {
  const { rt, tenant, client, body } = ctx;
  const token = body.refresh_token;
  if (typeof token !== 'string' || !token) throw oauthError('invalid_request', 'refresh_token is required');
  if (token.length > 512) throw invalid('unknown refresh token');
  const hash = rt.envelope.hashSecret(token);
  // A request that names scopes may be refused for them, and a refused widening must not
  // cost the client its token: check first, then rotate.
  const checkFirst = ctx.body.scope !== undefined;
  const found = checkFirst ? await tenant.store.refreshTokens.find(hash) : null;
  if (found && !found.rotatedAt && found.clientId === client.clientId) refreshScopes(ctx, found);
  const rec = await tenant.store.refreshTokens.rotate(hash);
  if (!rec) {
    const known = found ?? (await tenant.store.refreshTokens.find(hash));
    if (known?.rotatedAt) return revokeFamily(ctx, known);
    throw invalid('unknown refresh token');
  }
  if (rec.clientId !== client.clientId) throw invalid('the refresh token was issued to another client');
  if (new Date(rec.expiresAt).getTime() <= Date.now()) throw invalid('the refresh token has expired');
  const scopes = refreshScopes(ctx, rec);
  const parties = await grantParties(rt, tenant, rec.grantId);
  if (!parties.grant.offlineAccess) throw invalid('the grant does not allow refresh');
  return issueTokenSet(rt, tenant, { ...parties, client, scopes, withRefreshToken: true, withNonce: false, grantType: 'refresh_token' });
};
