import { oauthError } from '../../errors/oauth-error.js';
import type { RefreshTokenRecord } from '../../tokens/refresh-token-record.js';
import { openRefreshToken } from '../issue/refresh-token.js';
import { grantParties, issueTokenSet } from '../issue/token-set.js';
import { parseScope } from '../scopes.js';
import type { GrantContext, GrantHandler } from '../token/grant.js';

const invalid = (why: string) => oauthError('invalid_grant', why);

/** A spent token presented again means the family leaked: revoke all of it. */
async function revokeFamily({ rt, tenant }: GrantContext, rec: Pick<RefreshTokenRecord, 'grantId' | 'clientId'>): Promise<never> {
  await tenant.store.grants.revoke(rec.grantId);
  rt.log.warn({ tenant: tenant.slug, clientId: rec.clientId, grantId: rec.grantId }, 'refresh token reused: grant revoked');
  throw invalid('the refresh token was already used');
}

/**
 * A spent token presented again by its own client within the tenant's
 * `refreshTokenReuseGraceSeconds` of its first rotation is taken for a retry after a
 * lost response: the caller issues a new token set in the same family. The window runs
 * from the stored rotation time, so retries never extend it; anything else revokes the
 * family (docs/token-services.md "Refresh token rotation grace").
 */
async function retryWithinGrace(
  ctx: GrantContext,
  rec: Pick<RefreshTokenRecord, '_id' | 'grantId' | 'clientId'>,
  own: boolean,
): Promise<void> {
  const grace = ctx.tenant.settings.refreshTokenReuseGraceSeconds;
  if (!own || !grace) return revokeFamily(ctx, rec);
  const spent = await ctx.tenant.store.refreshTokens.findSpent(rec._id);
  const rotatedAt = spent?.rotatedAt ? new Date(spent.rotatedAt).getTime() : Number.NEGATIVE_INFINITY;
  if (Date.now() - rotatedAt > grace * 1000) return revokeFamily(ctx, rec);
  ctx.rt.log.info(
    { tenant: ctx.tenant.slug, clientId: rec.clientId, grantId: rec.grantId },
    'refresh token presented again within the reuse grace window',
  );
}

/** The requested scopes: the original ones by default, fewer allowed, more refused (RFC 6749 6). */
function refreshScopes(ctx: GrantContext, granted: readonly string[]): string[] {
  const requested = parseScope(ctx.body.scope);
  const stillAllowed = granted.filter((s) => ctx.client.scopes.includes(s));
  if (!requested.length) return stillAllowed;
  const widened = requested.filter((s) => !stillAllowed.includes(s));
  if (widened.length) throw oauthError('invalid_scope', 'the requested scope was not originally granted');
  return requested;
}

/**
 * RFC 6749 6 with rotation on every use (RFC 9700 4.14.2), public clients included. The
 * token is sealed and carries its own claims (oidc/issue/refresh-token.ts), so nothing is
 * read to check it: spending it is one insert of its hash, and of concurrent exchanges of
 * one token exactly one insert succeeds. A token presented by the wrong client is spent
 * as well (it has leaked). A refused widening of scope spends nothing. With a tenant
 * rotation grace, a spent token of the client within the window is a retry, not a leak
 * (retryWithinGrace); the grant is checked as for any refresh, so a revoked family stays dead.
 */
export const refreshToken: GrantHandler = async (ctx) => {
  const { rt, tenant, client, body } = ctx;
  const token = body.refresh_token;
  if (typeof token !== 'string' || !token) throw oauthError('invalid_request', 'refresh_token is required');
  const claims = openRefreshToken(rt, tenant, token);
  if (!claims) throw invalid('unknown refresh token');
  if (claims.expiresAt.getTime() <= Date.now()) throw invalid('the refresh token has expired');
  const own = claims.clientId === client.clientId;
  // RFC 9449 5: checked before the token is spent, so a thief's proof with another key
  // (or none) does not burn the holder's token.
  if (own && claims.jkt && claims.jkt !== ctx.dpop?.jkt) throw invalid('the refresh token is bound to another DPoP key');
  const scopes = own ? refreshScopes(ctx, claims.scopes) : [];
  const rec = {
    _id: rt.envelope.hashSecret(token),
    grantId: claims.grantId,
    clientId: claims.clientId,
    scopes: claims.scopes,
    createdAt: claims.createdAt,
    expiresAt: claims.expiresAt,
    rotatedAt: new Date(),
  };
  if (!(await tenant.store.refreshTokens.spend(rec))) await retryWithinGrace(ctx, rec, own);
  if (!own) throw invalid('the refresh token was issued to another client');
  const parties = await grantParties(rt, tenant, claims.grantId);
  if (!parties.grant.offlineAccess) throw invalid('the grant does not allow refresh');
  return issueTokenSet(rt, tenant, {
    ...parties,
    client,
    scopes,
    withRefreshToken: true,
    withNonce: false,
    grantType: 'refresh_token',
    jkt: ctx.dpop?.jkt,
  });
};
