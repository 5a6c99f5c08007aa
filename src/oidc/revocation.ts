import { oauthError } from '../errors/oauth-error.js';
import type { Runtime } from '../runtime.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { resolveAccessToken } from './access-token.js';
import { authenticateClient } from './client-auth.js';
import { emptyAnswer, type Answer, type Endpoint } from './endpoint.js';
import { findRefreshToken, presentedToken, searchOrder, type TokenKind } from './presented-token.js';

/**
 * RFC 7009 2.1: "verifies whether the token was issued to the client making the
 * revocation request. If this validation fails, the request is refused and the client is
 * informed of the error". The token stays valid.
 */
function ensureOwner(client: ClientRecord, tokenClientId: string): void {
  if (tokenClientId !== client.clientId) throw oauthError('unauthorized_client', 'the token was not issued to this client');
}

/**
 * An access token: a JWT is recorded as revoked by its jti until it expires (the
 * revocation view refuses it from then on, client_credentials tokens included); an
 * opaque one is marked revoked. The grant it came from stays: other tokens of it are
 * unaffected. True if the token was an active access token of this tenant.
 */
async function revokeAccessToken(rt: Runtime, tenant: TenantContext, client: ClientRecord, token: string): Promise<boolean> {
  const at = await resolveAccessToken(rt, tenant, token);
  if (!at) return false;
  ensureOwner(client, at.clientId);
  if (at.format === 'jwt') await tenant.store.revocations.record([{ kind: 'token', key: at.jti, expiresAt: new Date(at.exp * 1000) }]);
  else await tenant.store.accessTokens.revoke(rt.envelope.hashSecret(token));
  return true;
}

/**
 * A refresh token revokes its family: the grant, and with it every refresh and access
 * token issued from it (RFC 7009 2.1 "SHOULD also invalidate all access tokens based on
 * the same authorization grant"). A rotated-out token of the client still names its
 * family, so it revokes it too.
 */
async function revokeRefreshToken(rt: Runtime, tenant: TenantContext, client: ClientRecord, token: string): Promise<boolean> {
  const rec = await findRefreshToken(rt, tenant, token);
  if (!rec) return false;
  ensureOwner(client, rec.clientId);
  await tenant.store.grants.revoke(rec.grantId);
  return true;
}

/** Headers of every revocation answer, errors included: single-page apps revoke cross-origin at logout. */
export const REVOCATION_HEADERS = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

const REVOKED = Object.freeze(emptyAnswer(200));

const revokers: Record<TokenKind, typeof revokeAccessToken> = { access_token: revokeAccessToken, refresh_token: revokeRefreshToken };

/**
 * Token revocation (RFC 7009) at `{issuer}/revoke`, for confidential and public clients
 * alike (a public client identifies itself with client_id). 200 with an empty body for
 * every token this tenant does not know as valid (unknown, expired, already revoked, of
 * another tenant, an ID token): the client cannot do anything about those (2.2). A valid
 * token of another client is refused with unauthorized_client and stays valid.
 */
export const revocation =
  (rt: Runtime): Endpoint =>
  async (tenant, input): Promise<Answer> => {
    const { client } = await authenticateClient(rt, tenant, input);
    const { token, hint } = presentedToken(input);
    for (const kind of searchOrder(hint)) {
      if (await revokers[kind](rt, tenant, client, token)) {
        rt.events.emit(tenant, { type: 'TOKEN_REVOKED', clientId: client.clientId, data: { tokenType: kind, via: 'revocation_endpoint' } });
        break;
      }
    }
    return REVOKED;
  };
