import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { verifyOwnJwt } from '../keys/jwt.js';
import { clientSecretCopy } from '../clients/clients.js';
import type { Runtime } from '../runtime.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Verifies an `id_token_hint` (authorization endpoint, end_session): an ID token this
 * tenant issued to `client`, signed with a tenant key or, for clients with HS256 ID
 * tokens, with the client's own secret. Expired ones are accepted: a hint says who, it
 * is not a credential. Throws on anything else (signature, issuer, audience, alg).
 */
export async function verifyIdTokenHint(rt: Runtime, tenant: TenantContext, client: ClientRecord, token: string): Promise<JWTPayload> {
  const alg = decodeProtectedHeader(token).alg;
  if (alg === 'HS256') {
    const secret = clientSecretCopy(rt, tenant, client);
    if (!secret) throw new Error('the client has no secret to verify an HS256 ID token with');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: tenant.issuer,
      audience: client.clientId,
      algorithms: ['HS256'],
      clockTolerance: Number.MAX_SAFE_INTEGER,
    });
    return payload;
  }
  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  const { payload } = await verifyOwnJwt(ring, token, { issuer: tenant.issuer, audience: client.clientId, ignoreExpiry: true });
  return payload;
}

/**
 * An ID token presented as a credential (token exchange subject or actor): issued by
 * this tenant to `clientId`, signed with one of the tenant's own asymmetric keys, and
 * unexpired. HS256 ID tokens are refused here: the client holds the same secret, so it
 * could mint one for any user (docs/security.md "Token exchange policy").
 */
export async function verifyIssuedIdToken(rt: Runtime, tenant: TenantContext, clientId: string, token: string): Promise<JWTPayload> {
  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  const { payload } = await verifyOwnJwt(ring, token, { issuer: tenant.issuer, audience: clientId });
  return payload;
}
