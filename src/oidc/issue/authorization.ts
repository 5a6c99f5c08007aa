import { authorizationEnd, recordAuthorization, type AuthorizationRecord } from '../../tokens/authorizations.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { AuthorizationDecision, ClaimsRequest } from '../authorization-result.js';

/**
 * Records an authorization decision as an authorization (tokens/authorizations.ts), with
 * the protocol's rule on offline access: it means something only with a response type
 * that returns a code (OIDC Core 11); otherwise it is dropped from the scopes.
 */
export function recordDecision(tenant: TenantContext, d: AuthorizationDecision, now = tenant.clock.date()): Promise<AuthorizationRecord> {
  const offlineAccess = d.offlineAccess && d.responseType.split(' ').includes('code');
  return recordAuthorization(
    tenant,
    {
      userId: d.user._id,
      clientId: d.client.clientId,
      sid: d.session.sid,
      scopes: offlineAccess ? d.scopes : d.scopes.filter((x) => x !== 'offline_access'),
      claims: d.claims ? JSON.stringify(d.claims) : null,
      authTime: d.session.authTime,
      acr: d.session.acr ?? null,
      amr: d.session.amr ?? [],
      nonce: d.nonce ?? null,
      resource: d.resource ?? [],
      offlineAccess,
      expiresAt: authorizationEnd(tenant, { offlineAccess, viaCode: true }, now),
    },
    now,
  );
}

/** The `claims` request parameter an authorization was made with. */
export function claimsRequestOf(a: AuthorizationRecord): ClaimsRequest {
  if (!a.claims) return {};
  try {
    return JSON.parse(a.claims) as ClaimsRequest;
  } catch {
    return {};
  }
}
