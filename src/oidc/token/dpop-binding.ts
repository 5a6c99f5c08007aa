import { requiresDpop } from '../../clients/client-dpop-metadata.js';
import { oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { paths } from '../capabilities.js';
import { checkDpopProof, dpopProofRequired, type VerifiedProof } from '../dpop/index.js';

/** What a grant needs to know of the request's DPoP proof: the key its tokens are bound to. */
export interface DpopBinding {
  jkt: string;
}

/**
 * RFC 9449 5: the token request's DPoP proof, checked after client authentication (so
 * unauthenticated requests never fill the replay cache). With the tenant's `dpop` on, a
 * valid proof binds what the grant issues; a client registered with
 * `dpop_bound_access_tokens` must send one. With `dpop` off proofs are ignored, and a
 * client that requires DPoP cannot get tokens (it would get bearer tokens unknowingly).
 * `verified` is a proof the endpoint already checked (FAPI 2.0, fapi/token-request.ts): it
 * binds as is, since a second check would see its own `jti` as a replay and FAPI requires
 * sender-constrained tokens whatever the tenant's `dpop` setting says. Synchronous when
 * there is no proof to verify (it throws then rather than rejecting).
 */
export function tokenRequestBinding(
  rt: Runtime,
  tenant: TenantContext,
  client: ClientRecord,
  req: { headers: Readonly<Record<string, string | string[] | undefined>>; method?: string },
  verified?: VerifiedProof,
): Promise<DpopBinding | undefined> | DpopBinding | undefined {
  if (verified) return { jkt: verified.jkt };
  const required = requiresDpop(client);
  if (!tenant.settings.dpop) {
    if (required) throw oauthError('invalid_request', 'the client requires DPoP, which this tenant has switched off');
    return undefined;
  }
  // No proof and none required (a bearer token request): answered without a promise.
  if (req.headers.dpop === undefined && !required) return undefined;
  return proofBinding(rt, tenant, req, required);
}

async function proofBinding(
  rt: Runtime,
  tenant: TenantContext,
  req: { headers: Readonly<Record<string, string | string[] | undefined>>; method?: string },
  required: boolean,
): Promise<DpopBinding | undefined> {
  const proof = await checkDpopProof(rt, tenant, { header: req.headers.dpop, method: req.method ?? 'POST', path: paths.token }, 'token');
  if (!proof) {
    if (required) throw dpopProofRequired(rt, tenant, 'token', 'this client must send a DPoP proof');
    return undefined;
  }
  return { jkt: proof.jkt };
}

/** `token_type` of the token response (RFC 9449 5.1). */
export const tokenTypeFor = (dpop: DpopBinding | undefined): 'DPoP' | 'Bearer' => (dpop ? 'DPoP' : 'Bearer');
