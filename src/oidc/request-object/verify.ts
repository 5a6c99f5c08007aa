import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { oauthError, type OAuthError } from '../../errors/oauth-error.js';
import { clientRequestMetadata, REQUEST_OBJECT_ALGS } from '../../clients/client-request-metadata.js';
import { clientSecretCopy } from '../../clients/clients.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { clientKeys } from '../client-auth.js';

/** Clock skew allowed on exp and nbf. */
const SKEW = 30;
const MAX_LENGTH = 64 * 1024;

const bad = (description: string): OAuthError => oauthError('invalid_request_object', description);

/**
 * Verifies a request object (RFC 9101 section 6, OIDC Core 6.3.2) and returns its claims.
 * Signed with the client's keys (jwks / jwks_uri) or, for HS*, its secret; the client's
 * request_object_signing_alg, when registered, is the only algorithm accepted, and
 * `alg: none` is accepted only from a client that registered exactly that or, where the
 * tenant allows unsigned objects, registered no algorithm (others get
 * request_not_supported). `iss` (the client), `aud` (this issuer), `exp` and `nbf` are
 * checked when present.
 */
export async function verifyRequestObject(rt: Runtime, tenant: TenantContext, client: ClientRecord, raw: string): Promise<JWTPayload> {
  if (raw.length > MAX_LENGTH) throw bad('the request object is too large');
  if (raw.split('.').length === 5) throw bad('encrypted request objects are not supported');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(raw).alg;
  } catch {
    throw bad('the request object is not a JWT');
  }
  if (typeof alg !== 'string' || !(REQUEST_OBJECT_ALGS as readonly string[]).includes(alg))
    throw bad('the request object algorithm is not supported');
  const registered = clientRequestMetadata(client).requestObjectSigningAlg;
  // OIDC Core 3.1.2.6: request_not_supported is how a provider declines a form of request
  // object; conformance suites read it as "unsigned objects are not used here".
  // OIDC Registration 2: without a registered algorithm any supported one may be used; the
  // tenant decides whether that includes none. A registered algorithm is never downgraded.
  const unsignedAllowed = registered === 'none' || (!registered && tenant.settings.allowUnsignedRequestObjects);
  if (alg === 'none' && !unsignedAllowed)
    throw oauthError('request_not_supported', 'unsigned request objects are not accepted from this client');
  if (registered && alg !== registered) throw bad('the request object is not signed with the algorithm the client registered');

  let payload: JWTPayload;
  if (alg === 'none') payload = unsecured(raw);
  else {
    const key = alg.startsWith('HS') ? hmacKey(rt, tenant, client) : keysOf(tenant, client);
    try {
      ({ payload } = await jwtVerify(raw, key, { algorithms: [alg], clockTolerance: SKEW }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw bad('the request object has expired');
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw bad('the request object is not valid yet');
      throw bad('the request object signature is not valid for this client');
    }
  }
  checkClaims(tenant, client, payload);
  return payload;
}

/** An unsecured JWS (RFC 7515 appendix A.5): empty signature; exp and nbf still count. */
function unsecured(raw: string): JWTPayload {
  if (!raw.endsWith('.')) throw bad('an unsigned request object has an empty signature');
  let payload: JWTPayload;
  try {
    payload = decodeJwt(raw);
  } catch {
    throw bad('the request object is not a JWT');
  }
  const now = Date.now() / 1000;
  if (typeof payload.exp === 'number' && payload.exp + SKEW <= now) throw bad('the request object has expired');
  if (typeof payload.nbf === 'number' && payload.nbf - SKEW > now) throw bad('the request object is not valid yet');
  return payload;
}

function hmacKey(rt: Runtime, tenant: TenantContext, client: ClientRecord): Uint8Array {
  const secret = clientSecretCopy(rt, tenant, client);
  if (!secret) throw bad('HS* request objects need a client secret that this client does not have');
  return new TextEncoder().encode(secret);
}

function keysOf(tenant: TenantContext, client: ClientRecord): ReturnType<typeof clientKeys> {
  try {
    return clientKeys(tenant, client);
  } catch {
    throw bad('the client has no registered keys to verify the request object with');
  }
}

function checkClaims(tenant: TenantContext, client: ClientRecord, p: JWTPayload): void {
  if (p.iss !== undefined && p.iss !== client.clientId) throw bad('the request object iss is not the client');
  if (p.aud !== undefined) {
    const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
    if (!aud.includes(tenant.issuer)) throw bad('the request object aud is not this issuer');
  }
  if (p.client_id !== undefined && p.client_id !== client.clientId) throw bad('the request object client_id is not the client');
  if ('request' in p || 'request_uri' in p) throw bad('a request object must not contain request or request_uri');
}
