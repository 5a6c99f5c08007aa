import { randomBytes, randomUUID } from 'node:crypto';
import type { GrantRecord } from '../../tokens/grant-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { AuthorizationDecision, ClaimsRequest } from '../authorization-result.js';

/** 256 random bits, base64url: codes, refresh tokens and opaque access tokens. */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/**
 * Records the decision as a grant. Its lifetime covers everything that may be issued
 * from it: the code and its access token, or the refresh token family (absolute
 * lifetime from now) and the last access token a refresh can mint.
 */
export async function createGrant(tenant: TenantContext, d: AuthorizationDecision, now = new Date()): Promise<GrantRecord> {
  const s = tenant.settings;
  const offlineAccess = d.offlineAccess && d.responseType.split(' ').includes('code');
  const span = (offlineAccess ? s.refreshTokenTtl : s.codeTtl) + s.accessTokenTtl;
  // offline_access without the conditions for a refresh token means nothing (OIDC Core 11).
  const scopes = offlineAccess ? d.scopes : d.scopes.filter((x) => x !== 'offline_access');
  return tenant.store.grants.insert({
    _id: randomUUID(),
    userId: d.user._id,
    clientId: d.client.clientId,
    sid: d.session.sid,
    scopes: [...new Set(scopes)],
    claims: d.claims ? JSON.stringify(d.claims) : null,
    authTime: d.session.authTime,
    acr: d.session.acr ?? null,
    amr: d.session.amr ?? [],
    nonce: d.nonce ?? null,
    resource: d.resource ?? [],
    offlineAccess,
    createdAt: now,
    expiresAt: new Date(now.getTime() + span * 1000),
    revokedAt: null,
  });
}

/** The `claims` request parameter a grant was made with. */
export function grantClaimsRequest(grant: GrantRecord): ClaimsRequest {
  if (!grant.claims) return {};
  try {
    return JSON.parse(grant.claims) as ClaimsRequest;
  } catch {
    return {};
  }
}

/** When the refresh token family of a grant ends. */
export const refreshFamilyEnd = (tenant: TenantContext, grant: GrantRecord): Date =>
  new Date(new Date(grant.createdAt).getTime() + tenant.settings.refreshTokenTtl * 1000);
