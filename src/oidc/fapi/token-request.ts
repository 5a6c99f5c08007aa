import type { Request } from 'express';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { fapiRefusal, isFapi2 } from './profile.js';

/**
 * FAPI 2.0 SP 5.3.2.1 at the token endpoint: no password grant, and sender-constrained
 * access tokens (this provider: DPoP, RFC 9449). HOOK until the DPoP module
 * (branch w16-dpop) is merged: a request without a DPoP proof is refused here; checking
 * the proof and binding the tokens to its key is that module's job at the same endpoint.
 */
export function checkFapiTokenRequest(tenant: TenantContext, req: Request, grantType: string): void {
  if (!isFapi2(tenant)) return;
  if (grantType === 'password') throw fapiRefusal('unsupported_grant_type', 'the password grant is not allowed');
  if (typeof req.headers.dpop !== 'string' || !req.headers.dpop)
    throw fapiRefusal('invalid_request', 'DPoP proof required (sender-constrained access tokens)');
}
