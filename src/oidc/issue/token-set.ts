import { subjectFor } from '../../claims/subject.js';
import { oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { UserRecord } from '../../users/user-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { issueAccessToken } from '../../tokens/access-tokens.js';
import { activeAuthorization, refreshFamilyEnd, type AuthorizationRecord } from '../../tokens/authorizations.js';
import { sweepExpiredTokens } from '../../tokens/expiry-sweep.js';
import { sealRefreshToken } from '../../tokens/refresh-tokens.js';
import { scopesFor, type TokenTarget } from '../resource-indicators/token-target.js';
import { claimsRequestOf } from './authorization.js';
import { authenticationOf, issueIdToken } from './id-token.js';

export interface AuthorizationParties {
  authorization: AuthorizationRecord;
  user: UserRecord;
}

/**
 * The active authorization and its (enabled) user; anything else is invalid_grant.
 * Whether the authorization is active is the tokens domain's answer
 * (tokens/authorizations.ts). A code carries a copy of its authorization (`ref` is then
 * the record), so redeeming one reads nothing; a refresh reads it once per process.
 */
export async function authorizationParties(
  rt: Runtime,
  tenant: TenantContext,
  ref: string | AuthorizationRecord,
): Promise<AuthorizationParties> {
  const authorization = await activeAuthorization(rt, tenant, ref);
  if (!authorization) throw oauthError('invalid_grant', 'the grant was revoked or has expired');
  const user = await rt.users.find(tenant, authorization.userId);
  if (!user || user.disabled) throw oauthError('invalid_grant', 'the user is no longer active');
  return { authorization, user };
}

export interface TokenSetInput extends AuthorizationParties {
  client: ClientRecord;
  /** Scopes of this token set: the authorization's, or fewer on refresh. */
  scopes: string[];
  /**
   * The resource(s) the access token is for (RFC 8707, ../resource-indicators/token-target.ts):
   * its audience, format and lifetime, and of `scopes` only those it accepts. Null: the tenant.
   */
  target?: TokenTarget | null;
  withRefreshToken: boolean;
  /** The nonce belongs in the ID token of the code exchange, not of a refresh (OIDC Core 12.2). */
  withNonce: boolean;
  /** For the TOKEN_ISSUED event. */
  grantType?: string;
  /** RFC 9449: the token request's DPoP key; binds the access token, and a public client's refresh token. */
  jkt?: string;
}

/** The token endpoint response of the user grants (RFC 6749 5.1, OIDC Core 3.1.3.3). */
export async function issueTokenSet(rt: Runtime, tenant: TenantContext, input: TokenSetInput): Promise<Record<string, unknown>> {
  const { client, authorization: grant, user, scopes } = input;
  const sub = subjectFor(rt, tenant, client, user);
  const target = input.target ?? null;
  const atScopes = scopesFor(scopes, target);
  const at = await issueAccessToken(rt, tenant, {
    client,
    sub,
    scopes: atScopes,
    audience: target?.audience,
    format: target?.format,
    ttl: target?.ttl,
    authorization: grant,
    user,
    jkt: input.jkt,
  });
  const body: Record<string, unknown> = {
    access_token: at.token,
    token_type: input.jkt ? 'DPoP' : 'Bearer',
    expires_in: at.expiresIn,
    // RFC 6749 5.1: the access token's scope (a resource server's narrowing shows here).
    scope: atScopes.join(' '),
  };
  if (scopes.includes('openid')) {
    body.id_token = await issueIdToken(rt, tenant, {
      client,
      user,
      sub,
      ...authenticationOf(grant),
      nonce: input.withNonce ? grant.nonce : null,
      scopes,
      scopeClaims: false,
      requestedClaims: claimsRequestOf(grant).id_token ?? null,
      accessToken: at.token,
    });
  }
  if (input.withRefreshToken) {
    body.refresh_token = sealRefreshToken(rt, tenant, {
      grantId: grant._id,
      clientId: client.clientId,
      scopes: grant.scopes,
      createdAt: tenant.clock.date(),
      expiresAt: refreshFamilyEnd(tenant, grant),
      // RFC 9449 5: a public client's refresh token is bound to its DPoP key (a confidential client's to its credentials).
      jkt: client.clientType === 'PUBLIC' ? input.jkt : undefined,
    });
  }
  rt.events.emit(tenant, {
    type: 'TOKEN_ISSUED',
    userId: user._id,
    clientId: client.clientId,
    data: {
      grantType: input.grantType ?? null,
      grantId: grant._id,
      scope: body.scope,
      tokens: ['access_token', ...(body.id_token ? ['id_token'] : []), ...(body.refresh_token ? ['refresh_token'] : [])],
      jti: at.jti,
    },
  });
  sweepExpiredTokens(tenant, rt.log);
  return body;
}
