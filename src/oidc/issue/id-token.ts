import { createHash } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { SigningAlg } from '../../config/defaults.js';
import { buildIdTokenClaims, type IdTokenClaimsInput } from '../../claims/id-token-claims.js';
import { signJwt } from '../../keys/jwt.js';
import { clientSecretCopy } from '../../clients/clients.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { GrantRecord } from '../../tokens/grant-record.js';

/** What the ID token is about (claims/id-token-claims.ts), and what its hashes cover. */
/** What an ID token says about the authentication behind a grant (OIDC Core 2). */
export const authenticationOf = (grant: Pick<GrantRecord, 'authTime' | 'acr' | 'amr' | 'sid'>) => ({
  authTime: grant.authTime,
  acr: grant.acr,
  amr: grant.amr,
  sid: grant.sid,
});

export interface IdTokenInput extends Pick<
  IdTokenClaimsInput,
  'client' | 'user' | 'sub' | 'authTime' | 'acr' | 'amr' | 'sid' | 'nonce' | 'scopes' | 'scopeClaims' | 'requestedClaims'
> {
  /** For at_hash, c_hash and s_hash. */
  accessToken?: string;
  code?: string;
  state?: string;
}

/**
 * Hash for at_hash / c_hash / s_hash (OIDC Core 3.3.2.11): the left half of the digest
 * of the ASCII value, with the hash function of the signing algorithm. EdDSA (Ed25519)
 * uses SHA-512, as the OpenID Connect EdDSA guidance and openid-client do.
 */
export function idTokenHash(value: string, alg: string): string {
  const fn = alg === 'EdDSA' ? 'sha512' : alg.endsWith('384') ? 'sha384' : alg.endsWith('512') ? 'sha512' : 'sha256';
  const digest = createHash(fn).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * Signs with the client's idTokenSignedResponseAlg: a tenant key, or the client secret
 * for HS256. Also signs logout tokens (`typ` logout+jwt), which use the ID token's alg.
 */
export async function signForClient(
  rt: Runtime,
  tenant: TenantContext,
  client: ClientRecord,
  alg: string,
  payload: JWTPayload,
  typ?: string,
): Promise<string> {
  if (alg === 'HS256') {
    const secret = clientSecretCopy(rt, tenant, client);
    if (!secret) throw new Error(`client ${client.clientId} signs ID tokens with HS256 but has no secret copy`);
    return new SignJWT(payload).setProtectedHeader(typ ? { alg: 'HS256', typ } : { alg: 'HS256' }).sign(new TextEncoder().encode(secret));
  }
  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  return signJwt(ring, alg as SigningAlg, payload, typ);
}

/** An ID token per OIDC Core 2 and 3.x; its claims come from the claims pipeline (claims/id-token-claims.ts). */
export async function issueIdToken(rt: Runtime, tenant: TenantContext, input: IdTokenInput): Promise<string> {
  const alg = input.client.idTokenSignedResponseAlg || tenant.settings.signingAlg;
  const payload = await buildIdTokenClaims(rt, tenant, {
    client: input.client,
    user: input.user,
    sub: input.sub,
    authTime: input.authTime,
    acr: input.acr,
    amr: input.amr,
    sid: input.sid,
    nonce: input.nonce,
    scopes: input.scopes,
    scopeClaims: input.scopeClaims,
    requestedClaims: input.requestedClaims ?? null,
    hashes: {
      ...(input.accessToken ? { at_hash: idTokenHash(input.accessToken, alg) } : {}),
      ...(input.code ? { c_hash: idTokenHash(input.code, alg) } : {}),
      ...(input.state ? { s_hash: idTokenHash(input.state, alg) } : {}),
    },
    issuer: tenant.issuer,
    idTokenTtl: tenant.settings.idTokenTtl,
  });
  return signForClient(rt, tenant, input.client, alg, payload);
}
