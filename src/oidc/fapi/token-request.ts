import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { paths } from '../capabilities.js';
import { checkDpopProof, dpopProofRequired, type VerifiedProof } from '../dpop/index.js';
import type { EndpointInput } from '../endpoint.js';
import { fapiRefusal, isFapi2 } from './profile.js';

/**
 * FAPI 2.0 SP 5.3.2.1 at the token endpoint: no password grant, and sender-constrained
 * tokens, which this provider does with DPoP (RFC 9449; mTLS is not offered): every
 * token request of a FAPI tenant carries a valid proof (oidc/dpop/, verified once here).
 * Binding the issued tokens to the proof's key (`cnf.jkt`) is the DPoP module's part of
 * the token endpoint (token/dpop-binding.ts): it takes the proof returned here rather than verifying it again
 * (a second check would see its own `jti` as a replay).
 */
export async function checkFapiTokenRequest(
  rt: Runtime,
  tenant: TenantContext,
  input: EndpointInput,
  grantType: string,
): Promise<VerifiedProof | undefined> {
  if (!isFapi2(tenant)) return undefined;
  if (grantType === 'password') throw fapiRefusal('unsupported_grant_type', 'the password grant is not allowed');
  const proof = await checkDpopProof(rt, tenant, { header: input.headers.dpop, method: input.method, path: paths.token }, 'token');
  if (!proof) throw dpopProofRequired(rt, tenant, 'token', 'FAPI 2.0: DPoP proof required (sender-constrained tokens)');
  return proof;
}
