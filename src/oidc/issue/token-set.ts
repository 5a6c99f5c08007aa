import { subjectFor } from '../../claims/subject.js';
import { oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { GrantRecord } from '../../tokens/grant-record.js';
import type { UserRecord } from '../../users/user-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { issueAccessToken } from '../access-token.js';
import { grantClaimsRequest, refreshFamilyEnd } from './grant.js';
import { sealRefreshToken } from './refresh-token.js';
import { authenticationOf, issueIdToken } from './id-token.js';
import { maybeSweep } from './sweep.js';

export interface GrantParties {
  grant: GrantRecord;
  user: UserRecord;
}

/**
 * The active grant and its (enabled) user; anything else is invalid_grant. Whether the
 * grant is revoked is the revocation view's answer (tokens/revocation-view.ts): at
 * once in the process that revoked it, within the cache sync interval on the others (the
 * same bound as for access tokens). A code carries a copy of its grant (`ref` is then
 * the record), so redeeming one reads no grant; a refresh reads it once per process.
 */
export async function grantParties(rt: Runtime, tenant: TenantContext, ref: string | GrantRecord): Promise<GrantParties> {
  const grant = typeof ref === 'string' ? await rt.revocations.activeGrant(tenant, ref) : await rt.revocations.adoptGrant(tenant, ref);
  if (!grant) throw oauthError('invalid_grant', 'the grant was revoked or has expired');
  const user = await rt.users.find(tenant, grant.userId);
  if (!user || user.disabled) throw oauthError('invalid_grant', 'the user is no longer active');
  return { grant, user };
}

export interface TokenSetInput extends GrantParties {
  client: ClientRecord;
  /** Scopes of this access token: the grant's, or fewer on refresh. */
  scopes: string[];
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
  const { client, grant, user, scopes } = input;
  const sub = subjectFor(rt, tenant, client, user);
  const at = await issueAccessToken(rt, tenant, { client, sub, scopes, audience: grant.resource, grant, user, jkt: input.jkt });
  const body: Record<string, unknown> = {
    access_token: at.token,
    token_type: input.jkt ? 'DPoP' : 'Bearer',
    expires_in: at.expiresIn,
    scope: scopes.join(' '),
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
      requestedClaims: grantClaimsRequest(grant).id_token ?? null,
      accessToken: at.token,
    });
  }
  if (input.withRefreshToken) {
    body.refresh_token = sealRefreshToken(rt, tenant, {
      grantId: grant._id,
      clientId: client.clientId,
      scopes: grant.scopes,
      createdAt: new Date(),
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
  maybeSweep(tenant, rt.log);
  return body;
}
