import { LRUCache } from 'lru-cache';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { invalidClient, oauthError } from '../errors/oauth-error.js';
import { outboundFetch } from '../outbound/index.js';
import { clientKeyMetadata } from '../clients/client-key-metadata.js';
import { clientSecretCopy } from '../clients/clients.js';
import type { Runtime } from '../runtime.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { capabilities, paths } from './capabilities.js';
import { assertionAudience, checkFapiClientAuth } from './fapi/client-auth.js';
import { formOf, type EndpointInput } from './endpoint.js';
import { verifyClientSecret } from './verified-secrets.js';

export interface AuthenticatedClient {
  client: ClientRecord;
  method: string;
}

interface Presented {
  method: string;
  clientId: string;
  secret?: string;
  assertion?: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const HMAC_ALGS = capabilities.tokenEndpointAuthSigningAlgs.filter((a) => a.startsWith('HS'));
const KEY_ALGS = capabilities.tokenEndpointAuthSigningAlgs.filter((a) => !a.startsWith('HS'));
/** Clock skew allowed on assertion times. */
const SKEW = 30;
/**
 * jwks_uri fetching: bounded time per fetch, cached keys, and no refetch storm on unknown
 * kids (jose's caching and cooldown), every fetch through the outbound policy
 * (src/outbound/): a client cannot make the provider fetch keys from an internal address.
 */
const REMOTE_JWKS = {
  timeoutDuration: 5_000,
  cooldownDuration: 30_000,
  cacheMaxAge: 10 * 60_000,
  [customFetch]: async (url: string, init: { headers: Headers }): Promise<Response> => {
    const res = await outboundFetch(url, {
      purpose: 'jwks_uri',
      headers: Object.fromEntries(init.headers),
      timeoutMs: 5_000,
      maxBytes: 512 * 1024,
      redirect: 'error',
    });
    // jose wants a Response: anything but 200 is refused by it anyway.
    return new Response(res.status === 200 ? new Uint8Array(res.body) : null, { status: res.status === 200 ? 200 : 502 });
  },
};

/** Form-urlencoded to plain: a value without `%` or `+` (the usual one) is its own decoding, without the two passes. */
const formDecode = (s: string): string => (s.includes('%') || s.includes('+') ? decodeURIComponent(s.replace(/\+/g, ' ')) : s);

/** RFC 6749 2.3.1: Basic credentials are form-urlencoded before base64. */
function fromBasic(header: string): Presented {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('malformed Basic credentials');
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    return { method: 'client_secret_basic', clientId, secret };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

/** RFC 7523 2.2: the client is the assertion's `sub` (= `iss`); the alg tells the method. */
function fromAssertion(body: Record<string, unknown>): Presented {
  if (body.client_assertion_type !== JWT_BEARER) throw invalidClient(`client_assertion_type must be ${JWT_BEARER}`);
  const assertion = body.client_assertion;
  if (typeof assertion !== 'string' || !assertion) throw invalidClient('client_assertion is required');
  let sub: unknown;
  let alg: unknown;
  try {
    sub = decodeJwt(assertion).sub;
    alg = decodeProtectedHeader(assertion).alg;
  } catch {
    throw invalidClient('client_assertion is not a JWT');
  }
  if (typeof sub !== 'string' || !sub) throw invalidClient('client_assertion has no sub');
  if (typeof alg !== 'string') throw invalidClient('client_assertion has no alg');
  return { method: alg.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt', clientId: sub, assertion };
}

/** Which single method the request uses; more than one is an error (RFC 6749 2.3). */
function presented(input: EndpointInput): Presented {
  const body = formOf(input);
  const auth = input.headers.authorization as string | undefined;
  const found: Presented[] = [];
  if (auth && /^basic /i.test(auth)) found.push(fromBasic(auth));
  if (typeof body.client_secret === 'string') {
    found.push({
      method: 'client_secret_post',
      clientId: typeof body.client_id === 'string' ? body.client_id : '',
      secret: body.client_secret,
    });
  }
  if (body.client_assertion !== undefined || body.client_assertion_type !== undefined) found.push(fromAssertion(body));
  if (found.length > 1) throw oauthError('invalid_request', 'use exactly one client authentication method');
  if (found[0]) {
    if (typeof body.client_id === 'string' && body.client_id !== found[0].clientId)
      throw oauthError('invalid_request', 'client_id does not match the authenticated client');
    return found[0];
  }
  if (typeof body.client_id === 'string' && body.client_id) return { method: 'none', clientId: body.client_id };
  throw invalidClient('no client authentication was presented');
}

// Remote key sets, shared across tenant revisions so a client change does not refetch
// every other client's keys; keyed by tenant, client and URI.
const remoteSets = new LRUCache<string, JWTVerifyGetKey>({ max: 10_000 });
const inlineSets = new WeakMap<ClientRecord, JWTVerifyGetKey>();

/** The client's public keys (`jwks` or `jwks_uri`): client assertions and request objects. */
export function clientKeys(tenant: TenantContext, client: ClientRecord): JWTVerifyGetKey {
  const meta = clientKeyMetadata(client);
  if (meta.jwks) {
    let set = inlineSets.get(client);
    if (!set) {
      set = createLocalJWKSet(meta.jwks as never);
      inlineSets.set(client, set);
    }
    return set;
  }
  if (meta.jwksUri) {
    const key = `${tenant.id} ${client.clientId} ${meta.jwksUri}`;
    let set = remoteSets.get(key);
    if (!set) {
      set = createRemoteJWKSet(new URL(meta.jwksUri), REMOTE_JWKS);
      remoteSets.set(key, set);
    }
    return set;
  }
  throw invalidClient('the client has no registered keys');
}

/**
 * A short-lived assertion, as strict servers require (RFC 7523 3 allows the bound): not
 * issued in the future, `exp - iat` and `exp - now` at most the bound (the latter with
 * the skew). So its jti, kept until exp, is kept minutes, not years.
 */
function lifetimeBounds(payload: Record<string, unknown>, maxLifetime: number, now: number): void {
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  if (iat > now + SKEW) throw invalidClient('the client assertion was issued in the future');
  if (exp - iat > maxLifetime || exp - now > maxLifetime + SKEW)
    throw invalidClient(`the client assertion may live at most ${maxLifetime} seconds`);
}

/**
 * RFC 7523 3 / OIDC Core 9: signature with the client's secret (client_secret_jwt) or
 * keys (private_key_jwt); iss = sub = client_id; aud names this tenant (its issuer, or
 * the URL of the token endpoint or the endpoint called); exp, iat and jti present, a
 * lifetime within the bound (lifetimeBounds), and the jti never seen before from this client.
 */
async function verifyAssertion(
  rt: Runtime,
  tenant: TenantContext,
  input: EndpointInput,
  client: ClientRecord,
  p: Presented,
): Promise<void> {
  const audience = assertionAudience(tenant, [tenant.issuer, tenant.issuer + paths.token, tenant.issuer + input.path]);
  const maxLifetime = rt.config.clientAssertionMaxLifetime;
  // iat required and no older than the bound (jose's maxTokenAge, with the skew).
  const checks = {
    audience,
    issuer: client.clientId,
    subject: client.clientId,
    requiredClaims: ['exp', 'jti', 'iat'],
    clockTolerance: SKEW,
    maxTokenAge: maxLifetime,
    currentDate: tenant.clock.date(),
  };
  let payload: Record<string, unknown>;
  try {
    if (p.method === 'client_secret_jwt') {
      const secret = clientSecretCopy(rt, tenant, client);
      if (!secret) throw new Error('no secret copy');
      ({ payload } = await jwtVerify(p.assertion!, new TextEncoder().encode(secret), { algorithms: HMAC_ALGS, ...checks }));
    } else {
      ({ payload } = await jwtVerify(p.assertion!, clientKeys(tenant, client), { algorithms: KEY_ALGS, ...checks }));
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'OAuthError') throw err;
    throw invalidClient('the client assertion is invalid');
  }
  lifetimeBounds(payload, maxLifetime, tenant.clock.seconds());
  const jti = payload.jti;
  if (typeof jti !== 'string' || !jti || jti.length > 256) throw invalidClient('the client assertion needs a jti');
  const exp = new Date(((payload.exp as number) + SKEW) * 1000);
  if (!(await tenant.store.clientAssertions.recordUse(client.clientId, jti, exp)))
    throw invalidClient('the client assertion was already used');
}

/**
 * Authenticates the calling client at the token, introspection and revocation endpoints.
 * The method must be the one the client registered; secrets are compared in constant
 * time against their stored hash (or the digest of the secret that last verified: ./verified-secrets.ts).
 */
export async function authenticateClient(rt: Runtime, tenant: TenantContext, input: EndpointInput): Promise<AuthenticatedClient> {
  const p = presented(input);
  if (!capabilities.tokenEndpointAuthMethods.includes(p.method)) throw invalidClient(`${p.method} is not supported`);
  checkFapiClientAuth(tenant, p.method);
  const client = await rt.clients.find(tenant, p.clientId);
  // The same answer for an unknown client and a wrong secret: nothing to learn from it.
  if (!client) throw invalidClient();
  if (client.tokenEndpointAuthMethod !== p.method) throw invalidClient(`this client authenticates with ${client.tokenEndpointAuthMethod}`);
  switch (p.method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!verifyClientSecret(rt.envelope, client, p.secret ?? '')) throw invalidClient();
      return { client, method: p.method };
    case 'client_secret_jwt':
    case 'private_key_jwt':
      await verifyAssertion(rt, tenant, input, client, p);
      return { client, method: p.method };
    case 'none':
      return { client, method: p.method };
    default:
      throw invalidClient(`${p.method} is not supported`);
  }
}
