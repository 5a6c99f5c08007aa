import { buildUserinfoClaims } from '../claims/userinfo-claims.js';
import { bearerError, OAuthError } from '../errors/oauth-error.js';
import { userinfoSigningAlg } from '../clients/client-userinfo-metadata.js';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { resolveAccessToken } from '../tokens/access-token-resolution.js';
import { paths } from './capabilities.js';
import { emptyAnswer, formOf, jsonAnswer, type Answer, type Endpoint, type EndpointInput } from './endpoint.js';
import { claimsRequestOf } from './issue/authorization.js';
import { signForClient } from './issue/id-token.js';
import { checkBinding, dpopChallenge, dpopNonceHeaders, invalidTokenFor, resourceProof, type PresentedAccessToken } from './dpop/index.js';

/**
 * Headers of every userinfo answer, errors included (the route gives them to the
 * pipeline): browser clients call it cross-origin with a bearer token (no cookies), from any origin.
 */
export const USERINFO_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'WWW-Authenticate, DPoP-Nonce',
  'Cache-Control': 'no-store',
} as const;

const PREFLIGHT = Object.freeze(
  emptyAnswer(204, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'WWW-Authenticate, DPoP-Nonce',
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, DPoP',
    'Access-Control-Max-Age': '600',
  }),
);

/** CORS preflight for userinfo. */
export const userinfoPreflight: Endpoint = () => PREFLIGHT;

const invalidToken = (why: string) => bearerError('invalid_token', why);

/** RFC 6750 2.1 and 2.2 and RFC 9449 7.1; never the query (2.3 is not supported), never two at once. */
function presentedToken(input: EndpointInput): PresentedAccessToken {
  const header = input.headers.authorization as string | undefined;
  const body = input.method === 'POST' && input.contentType === 'application/x-www-form-urlencoded' ? formOf(input) : {};
  const fromBody = body.access_token;
  if (input.query.access_token !== undefined) throw bearerError('invalid_request', 'access tokens are not accepted in the query string');
  if (header !== undefined && fromBody !== undefined)
    throw bearerError('invalid_request', 'use exactly one way of presenting the access token');
  if (header !== undefined) {
    const m = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!m) throw invalidToken('the Authorization header is not a Bearer or DPoP token');
    return { token: m[2]!, scheme: m[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer' };
  }
  if (fromBody !== undefined) {
    if (typeof fromBody !== 'string' || !fromBody) throw bearerError('invalid_request', 'access_token must be a single string');
    return { token: fromBody, scheme: 'body' };
  }
  // RFC 6750 3.1: a request without any credentials gets the challenge without an error code.
  const err = new OAuthError('invalid_token', 'an access token is required', 401);
  err.headers['WWW-Authenticate'] = `Bearer realm="gatehouse", ${dpopChallenge()}`;
  throw err;
}

/**
 * OIDC Core 5.3: the claims of the token's user released by its scopes (5.4) and by the
 * `claims` parameter's userinfo member (5.5); `sub` always. A token that is invalid,
 * expired, revoked (its grant), of another tenant, or whose user is disabled or gone is
 * refused with 401 invalid_token. `acr` is added when the claims request's userinfo
 * member asks for it. A client registered with `userinfo_signed_response_alg` gets the
 * claims as a JWT (`application/jwt`, OIDC Core 5.3.2) signed with the tenant's ACTIVE key
 * of that algorithm, with `iss` and `aud` (the client) added.
 */
export const userinfo =
  (rt: Runtime): Endpoint =>
  async (tenant: TenantContext, input: EndpointInput): Promise<Answer> => {
    const presented = presentedToken(input);
    const proof = await resourceProof(rt, tenant, presented, input, paths.userinfo);
    // The same resolution as introspection and the admin API: revocation, grant and a client that still exists.
    const found = await resolveAccessToken(rt, tenant, presented.token, { client: true });
    if (!found) throw invalidTokenFor(presented.scheme, 'the access token is invalid, expired or revoked');
    const { token: at, client } = found;
    checkBinding(at.jkt, presented, proof);
    const nonce = proof ? dpopNonceHeaders(rt, tenant) : {};
    if (!at.grant) throw invalidTokenFor(presented.scheme, 'the access token was not issued for an end-user');
    // RFC 9068 4 (audience restriction): a token for another resource (token exchange
    // `audience`, RFC 8707 `resource`) is not a userinfo token (docs/security.md "Userinfo audience").
    if (!at.audience.includes(tenant.issuer) && !at.audience.includes(tenant.issuer + paths.userinfo))
      throw invalidTokenFor(presented.scheme, 'the access token is not for this userinfo endpoint');
    if (!at.scopes.includes('openid')) throw bearerError('insufficient_scope', 'the access token lacks the openid scope');
    const user = await rt.users.find(tenant, at.grant.userId);
    if (!user || user.disabled) throw invalidTokenFor(presented.scheme, 'the end-user of this token is no longer active');
    // The sub the token was issued with, which is the one its ID token carried.
    const requested = claimsRequestOf(at.grant).userinfo ?? null;
    const body = await buildUserinfoClaims(rt, tenant, { user, client, scopes: at.scopes, requested, sub: at.sub });
    if (requested && 'acr' in requested && at.grant.acr) body.acr = at.grant.acr;
    const alg = userinfoSigningAlg(client);
    if (!alg) return jsonAnswer(body, 200, nonce);
    const jwt = await signForClient(rt, tenant, client, alg, {
      ...body,
      iss: tenant.issuer,
      aud: client.clientId,
      iat: tenant.clock.seconds(),
    });
    return { status: 200, headers: { 'Content-Type': 'application/jwt', ...nonce }, body: jwt };
  };
