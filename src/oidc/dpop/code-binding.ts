import { timingSafeEqual } from 'node:crypto';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { isFapi2 } from '../fapi/profile.js';

/*
 * Authorization code binding to a DPoP key (RFC 9449 10, 10.1): the rules shared by the
 * authorization and PAR endpoints (authorize/check-dpop-jkt.ts) and the code exchange
 * (grant-types/authorization-code.ts). docs/token-services.md "Binding the authorization code".
 */

/** A base64url SHA-256 JWK thumbprint (RFC 7638 3) is exactly 43 characters. */
export const DPOP_JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether the tenant takes DPoP proofs at its token endpoint, and so honours `dpop_jkt`:
 * its `dpop` setting, or the FAPI 2.0 profile, which verifies a proof with every token
 * request whatever that setting says (fapi/token-request.ts). Elsewhere `dpop_jkt` is an
 * unrecognised parameter, ignored (RFC 6749 3.1): a bound code could never be redeemed there.
 */
export const dpopOffered = (tenant: TenantContext): boolean => tenant.settings.dpop || isFapi2(tenant);

/** Whether two thumbprints are the same, in constant time. */
export function sameJkt(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
