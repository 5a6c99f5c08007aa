import { createHash } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { SigningAlg } from '../../config/defaults.js';
import { releasedClaims } from '../../claims/user-claims.js';
import { signJwt } from '../../keys/jwt.js';
import { clientSecretCopy } from '../../services/clients.js';
import type { Runtime } from '../../services/runtime.js';
import type { ClientRecord } from '../../store/models/client.js';
import type { UserRecord } from '../../store/models/user.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

export interface IdTokenInput {
  client: ClientRecord;
  user: UserRecord;
  /** The user's subject for this client (claims/subject.ts). */
  sub: string;
  authTime: number;
  acr?: string | null;
  amr?: string[];
  sid?: string | null;
  /** Omitted on refresh (OIDC Core 12.2). */
  nonce?: string | null;
  /** Granted scopes; their claims go in the ID token only when `scopeClaims` is true. */
  scopes: string[];
  /**
   * True when no access token is issued with the ID token (response_type=id_token):
   * then the ID token is the only place the scope claims can be delivered (OIDC Core 5.4).
   */
  scopeClaims: boolean;
  /** The `claims` parameter's id_token member. */
  requestedClaims?: Record<string, unknown> | null;
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

/** Signs with the client's idTokenSignedResponseAlg: a tenant key, or the client secret for HS256. */
async function sign(rt: Runtime, tenant: TenantContext, client: ClientRecord, alg: string, payload: JWTPayload): Promise<string> {
  if (alg === 'HS256') {
    const secret = clientSecretCopy(rt, tenant, client);
    if (!secret) throw new Error(`client ${client.clientId} signs ID tokens with HS256 but has no secret copy`);
    return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
  }
  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  return signJwt(ring, alg as SigningAlg, payload);
}

/** An ID token per OIDC Core 2 and 3.x. */
export async function issueIdToken(rt: Runtime, tenant: TenantContext, input: IdTokenInput): Promise<string> {
  const alg = input.client.idTokenSignedResponseAlg || tenant.settings.signingAlg;
  const now = Math.floor(Date.now() / 1000);
  const claims = releasedClaims(input.user, {
    scopes: input.scopeClaims ? input.scopes : [],
    requested: input.requestedClaims ?? null,
  });
  const payload: JWTPayload = {
    ...claims,
    iss: tenant.issuer,
    sub: input.sub,
    aud: input.client.clientId,
    exp: now + tenant.settings.idTokenTtl,
    iat: now,
    auth_time: input.authTime,
    azp: input.client.clientId,
  };
  if (input.nonce) payload.nonce = input.nonce;
  if (input.acr) payload.acr = input.acr;
  if (input.amr?.length) payload.amr = input.amr;
  if (input.sid) payload.sid = input.sid;
  if (input.accessToken) payload.at_hash = idTokenHash(input.accessToken, alg);
  if (input.code) payload.c_hash = idTokenHash(input.code, alg);
  if (input.state) payload.s_hash = idTokenHash(input.state, alg);
  return sign(rt, tenant, input.client, alg, payload);
}
