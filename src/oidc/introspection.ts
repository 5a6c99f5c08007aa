import { subjectFor } from '../claims/subject.js';
import { invalidClient } from '../errors/oauth-error.js';
import { mayIntrospectAny } from '../clients/client-policies.js';
import type { Runtime } from '../runtime.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { resolveAccessToken } from '../tokens/access-token-resolution.js';
import { activeAuthorization } from '../tokens/authorizations.js';
import { findRefreshToken } from '../tokens/refresh-tokens.js';
import { authenticateClient } from './client-auth.js';
import { jsonAnswer, type Answer, type Endpoint } from './endpoint.js';
import { presentedToken, searchOrder } from './presented-token.js';

type Introspection = Record<string, unknown>;

const INACTIVE: Introspection = { active: false };

/** Headers of every introspection answer, errors included (the route gives them to the pipeline). */
export const INTROSPECTION_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;
const seconds = (d: Date): number => Math.floor(new Date(d).getTime() / 1000);

/**
 * An access token of this tenant, JWT or opaque: answered from memory for JWTs (key
 * ring, revocation view, cached grant and client). Its client must still exist.
 */
async function accessToken(rt: Runtime, tenant: TenantContext, caller: ClientRecord, token: string): Promise<Introspection | null> {
  const found = await resolveAccessToken(rt, tenant, token, { client: true });
  if (!found) return null;
  const at = found.token;
  // Only the token's client, its audience, or a client allowed to introspect any token
  // (a resource server, client-policies.ts) learns about it; others see an inactive token.
  if (at.clientId !== caller.clientId && !at.audience.includes(caller.clientId) && !mayIntrospectAny(caller)) return null;
  return {
    active: true,
    scope: at.scopes.join(' '),
    client_id: at.clientId,
    sub: at.sub,
    exp: at.exp,
    iat: at.iat,
    iss: tenant.issuer,
    aud: at.audience.length === 1 ? at.audience[0] : at.audience,
    // RFC 9449 6.2: a DPoP-bound token says so, with its key's thumbprint; the resource server checks the proof.
    token_type: at.jkt ? 'DPoP' : 'Bearer',
    ...(at.jkt ? { cnf: { jkt: at.jkt } } : {}),
    jti: at.jti,
    ...(at.authTime !== null ? { auth_time: at.authTime } : {}),
    ...(at.acr ? { acr: at.acr } : {}),
    ...(at.grant?.sid ? { sid: at.grant.sid } : {}),
    ...(at.act ? { act: at.act } : {}),
  };
}

/**
 * A refresh token is only ever presented by the client holding it, so only that client
 * learns anything about it. Active while not rotated out, unexpired, its grant active
 * and its user enabled.
 */
async function refreshToken(rt: Runtime, tenant: TenantContext, caller: ClientRecord, token: string): Promise<Introspection | null> {
  const rec = await findRefreshToken(rt, tenant, token);
  if (!rec || rec.rotatedAt || rec.clientId !== caller.clientId) return null;
  const grant = await activeAuthorization(rt, tenant, rec.grantId);
  if (!grant) return null;
  const user = await rt.users.find(tenant, grant.userId);
  if (!user || user.disabled) return null;
  return {
    active: true,
    scope: rec.scopes.join(' '),
    client_id: rec.clientId,
    sub: subjectFor(rt, tenant, caller, user),
    exp: seconds(rec.expiresAt),
    iat: seconds(rec.createdAt),
    iss: tenant.issuer,
    aud: tenant.issuer,
    token_type: 'refresh_token',
    ...(grant.sid ? { sid: grant.sid } : {}),
  };
}

/**
 * Token introspection (RFC 7662) at `{issuer}/introspect`.
 *
 * Who may ask: any confidential client of the tenant, authenticated with any method
 * the token endpoint accepts. It learns about an access token issued to itself or
 * naming it in its audience; about any access token only if it may introspect
 * (`canIntrospect`: resource servers; by default the confidential clients an operator
 * created, never dynamically registered ones). Public clients cannot authenticate, so they get invalid_client (RFC 7662
 * 2.1 requires authorization of the caller). Refresh tokens are described only to the
 * client they were issued to. Anything else — unknown, expired, revoked, of another
 * tenant, an ID token, a rotated-out refresh token — is `{"active": false}`.
 *
 * `username` is left out: the login name is not an identifier a resource server should
 * rely on, and it would undo pairwise subjects.
 */
export const introspection =
  (rt: Runtime): Endpoint =>
  async (tenant, input): Promise<Answer> => {
    const { client } = await authenticateClient(rt, tenant, input);
    if (client.clientType !== 'CONFIDENTIAL' || client.tokenEndpointAuthMethod === 'none') {
      throw invalidClient('introspection requires an authenticated (confidential) client');
    }
    const { token, hint } = presentedToken(input);
    for (const kind of searchOrder(hint)) {
      const found = kind === 'access_token' ? await accessToken(rt, tenant, client, token) : await refreshToken(rt, tenant, client, token);
      if (found) return jsonAnswer(found);
    }
    return jsonAnswer(INACTIVE);
  };
