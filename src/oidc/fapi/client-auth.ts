import { invalidClient } from '../../errors/oauth-error.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { FAPI2_AUTH_METHODS, isFapi2 } from './profile.js';

/**
 * FAPI 2.0 SP 5.3.2.1: only confidential clients, authenticated with private_key_jwt,
 * at every endpoint that authenticates clients (token, PAR, introspection, revocation).
 * Mutual TLS is not offered: no client certificate reaches the provider (docs).
 */
export function checkFapiClientAuth(tenant: TenantContext, method: string): void {
  if (isFapi2(tenant) && !FAPI2_AUTH_METHODS.includes(method))
    throw invalidClient(`FAPI 2.0: private_key_jwt client authentication required`);
}

/**
 * FAPI 2.0 SP 5.3.2.1: a client assertion's audience is this issuer, nothing else (an
 * assertion made for another endpoint of the same server cannot be replayed here).
 */
export const assertionAudience = (tenant: TenantContext, others: string[]): string[] => (isFapi2(tenant) ? [tenant.issuer] : others);
