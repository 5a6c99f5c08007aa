import { OAuthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { checkDpopProof, dpopChallenge, dpopProofRequired } from './check-proof.js';
import type { VerifiedProof } from './verify-proof.js';

/** How an access token came to a resource endpoint of the provider (userinfo). */
export type PresentationScheme = 'Bearer' | 'DPoP' | 'body';

export interface PresentedAccessToken {
  token: string;
  scheme: PresentationScheme;
}

/** 401 invalid_token with the challenge of the scheme the token was (or must be) presented with. */
export function invalidTokenFor(scheme: PresentationScheme | 'DPoP', why: string): OAuthError {
  const err = new OAuthError('invalid_token', why, 401);
  err.headers['WWW-Authenticate'] =
    scheme === 'DPoP'
      ? dpopChallenge('invalid_token', err.errorDescription)
      : `Bearer realm="gatehouse", error="invalid_token", error_description="${err.errorDescription}"`;
  err.redirectable = false;
  return err;
}

/**
 * RFC 9449 7: an access token presented with the DPoP scheme comes with a proof for this
 * request that carries the token's hash (`ath`); checked before the token is looked up,
 * so a nonce demand (`use_dpop_nonce`, 401) costs no token resolution.
 */
export async function resourceProof(
  rt: Runtime,
  tenant: TenantContext,
  presented: PresentedAccessToken,
  req: { headers: Readonly<Record<string, string | string[] | undefined>>; method?: string },
  path: string,
): Promise<VerifiedProof | undefined> {
  // A proof beside a Bearer token proves nothing about it; a bound token is refused by checkBinding.
  if (presented.scheme !== 'DPoP') return undefined;
  const proof = await checkDpopProof(
    rt,
    tenant,
    { header: req.headers.dpop, method: req.method ?? 'GET', path, accessToken: presented.token },
    'resource',
  );
  if (!proof) throw dpopProofRequired(rt, tenant, 'resource', 'the DPoP scheme needs a DPoP proof');
  return proof;
}

/**
 * RFC 9449 7.1 and 7.2: a DPoP-bound token (`cnf.jkt`) is accepted only with the DPoP
 * scheme and a proof of that very key; a bearer token is not accepted with the DPoP
 * scheme (its proof binds nothing). A bound token presented as a bearer token is refused.
 */
export function checkBinding(jkt: string | null, presented: PresentedAccessToken, proof: VerifiedProof | undefined): void {
  if (jkt) {
    if (presented.scheme !== 'DPoP') throw invalidTokenFor('DPoP', 'the access token is DPoP-bound: present it with the DPoP scheme');
    if (proof?.jkt !== jkt) throw invalidTokenFor('DPoP', 'the DPoP proof key does not match the access token');
    return;
  }
  if (presented.scheme === 'DPoP') throw invalidTokenFor('DPoP', 'the access token is not DPoP-bound');
}
