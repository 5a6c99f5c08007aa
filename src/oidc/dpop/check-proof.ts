import { dpopDefaults } from '../../config/defaults.js';
import { OAuthError, oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { recordDpopJti } from '../../tokens/dpop-replay.js';
import { acceptDpopNonce, currentDpopNonce } from './nonce.js';
import { DPOP_SIGNING_ALGS, DpopProofError, singleProof, verifyProof, type VerifiedProof } from './verify-proof.js';

/** A request that may carry a DPoP proof, framework-free. */
export interface DpopRequest {
  /** The request's `DPoP` header value(s), as node:http gives them. */
  header: string | string[] | undefined;
  /** HTTP method, any case. */
  method: string;
  /** The endpoint's path below the issuer (`paths.token`, …): `htu` is `{issuer}{path}`. */
  path: string;
  /** At a resource endpoint (userinfo): the presented access token, whose hash (`ath`) the proof must carry. */
  accessToken?: string;
}

/**
 * Where the proof was presented: the token endpoint (and PAR) answers 400 with the error
 * in the body (RFC 9449 5, 8); a resource (userinfo) answers 401 with a DPoP challenge (7.1, 9).
 */
export type DpopSurface = 'token' | 'resource';

/** `WWW-Authenticate: DPoP …` with the algorithms proofs may use (RFC 9449 7.1). */
export function dpopChallenge(code?: string, description?: string): string {
  const parts = ['realm="gatehouse"', `algs="${DPOP_SIGNING_ALGS.join(' ')}"`];
  if (code) parts.push(`error="${code}"`);
  if (description) parts.push(`error_description="${description}"`);
  return `DPoP ${parts.join(', ')}`;
}

/** The `DPoP-Nonce` response header, when the tenant requires server nonces. */
export function dpopNonceHeaders(rt: Runtime, tenant: TenantContext): Record<string, string> {
  return tenant.settings.dpopNonce ? { 'DPoP-Nonce': currentDpopNonce(rt.envelope, tenant) } : {};
}

function toOAuthError(rt: Runtime, tenant: TenantContext, err: DpopProofError, surface: DpopSurface): OAuthError {
  const e = surface === 'token' ? oauthError(err.code, err.message) : new OAuthError(err.code, err.message, 401);
  if (surface === 'resource') e.headers['WWW-Authenticate'] = dpopChallenge(err.code, e.errorDescription);
  // A fresh nonce with every refusal: the client retries with it (RFC 9449 8.1, 9.1).
  Object.assign(e.headers, dpopNonceHeaders(rt, tenant));
  if (err.code === 'use_dpop_nonce') e.headers['DPoP-Nonce'] = currentDpopNonce(rt.envelope, tenant);
  e.redirectable = false;
  return e;
}

/**
 * The request's DPoP proof, verified (verify-proof.ts), with the tenant's nonce policy and
 * the replay cache shared by replicas; undefined when the request has no `DPoP` header.
 * Whether a proof is required is the caller's decision.
 */
export async function checkDpopProof(
  rt: Runtime,
  tenant: TenantContext,
  r: DpopRequest,
  surface: DpopSurface,
): Promise<VerifiedProof | undefined> {
  try {
    const proof = singleProof(r.header);
    if (proof === undefined) return undefined;
    const nowMs = tenant.clock.now();
    return await verifyProof(proof, {
      htm: r.method.toUpperCase(),
      htu: tenant.issuer + r.path,
      accessToken: r.accessToken,
      now: Math.floor(nowMs / 1000),
      maxAgeSeconds: dpopDefaults.proofMaxAgeSeconds,
      skewSeconds: dpopDefaults.proofSkewSeconds,
      acceptNonce: tenant.settings.dpopNonce ? (nonce) => acceptDpopNonce(rt.envelope, tenant, nonce, nowMs) : undefined,
      recordJti: (jkt, jti, until) => recordDpopJti(tenant, jkt, jti, until),
    });
  } catch (err) {
    if (err instanceof DpopProofError) throw toOAuthError(rt, tenant, err, surface);
    throw err;
  }
}

/** A proof is required but the request has none. */
export function dpopProofRequired(rt: Runtime, tenant: TenantContext, surface: DpopSurface, why: string): OAuthError {
  return toOAuthError(rt, tenant, new DpopProofError('invalid_dpop_proof', why), surface);
}
