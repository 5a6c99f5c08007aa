import { buildAccessTokenClaims } from '../claims/access-token-claims.js';
import { signJwt } from '../keys/jwt.js';
import { randomBase64url } from '../store/ids.js';
import type { Runtime } from '../runtime.js';
import { parseJsonObject, type ActiveAccessToken } from './access-token-resolution.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { AuthorizationRecord } from './authorizations.js';
import { newOpaqueToken } from './opaque-token.js';

export interface AccessTokenRequest {
  client: ClientRecord;
  /** The user's subject as this client sees it, or the client itself for client_credentials. */
  sub: string;
  scopes: string[];
  audience?: string[];
  /** The user's authorization the token is issued from; revoking it revokes the token. */
  authorization?: AuthorizationRecord;
  extraClaims?: Record<string, unknown>;
  /** The end-user: claim resolvers that target ACCESS_TOKEN add their claims to a JWT access token. */
  user?: UserRecord | null;
  /** RFC 8693 `act` (delegation); by default the authorization's, if it was derived by token exchange. */
  act?: Record<string, unknown> | null;
  /** Seconds since the epoch the token must not outlive (the subject token of an exchange). */
  notAfter?: number;
  /** A resource server's format and lifetime (RFC 8707), instead of the client's format and the tenant's lifetime. */
  format?: 'jwt' | 'opaque';
  ttl?: number;
  /** RFC 9449: bind the token to this DPoP key thumbprint (`cnf.jkt`); the proof was verified by the token endpoint. */
  jkt?: string;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

/** Never beyond the authorization (or the exchanged token): a token must not outlive what it was issued from. */
function lifetime(tenant: TenantContext, req: AccessTokenRequest, now: number): number {
  let ttl = req.ttl ?? tenant.settings.accessTokenTtl;
  if (req.authorization) ttl = Math.min(ttl, Math.floor(new Date(req.authorization.expiresAt).getTime() / 1000) - now);
  if (req.notAfter !== undefined) ttl = Math.min(ttl, req.notAfter - now);
  return Math.max(1, ttl);
}

/**
 * Issues an access token: an RFC 9068 JWT signed with the tenant's signingAlg ACTIVE
 * key by default, or an opaque random string stored hashed when the client chose
 * `opaque`. A user token carries its authorization's id, so revoking that revokes it.
 */
export async function issueAccessToken(rt: Runtime, tenant: TenantContext, req: AccessTokenRequest): Promise<IssuedAccessToken> {
  const nowMs = tenant.clock.now();
  let now = Math.floor(nowMs / 1000);
  // After a revoke-all of this client within the current second, a new token must be
  // dated after the cut-off, or second-granular iat would revoke it at birth.
  const cutoff = rt.revocations.peekClientCutoff(tenant, req.client.clientId);
  if (cutoff !== undefined && now * 1000 < cutoff) now = Math.ceil(cutoff / 1000);
  const expiresIn = lifetime(tenant, req, now);
  const jti = randomBase64url(16);
  const audience = req.audience?.length ? req.audience : [tenant.issuer];
  const authz = req.authorization;
  const act = req.act !== undefined ? req.act : parseJsonObject(authz?.act);

  if ((req.format ?? req.client.accessTokenFormat) === 'opaque') {
    const token = newOpaqueToken();
    await tenant.store.accessTokens.insert({
      _id: rt.envelope.hashSecret(token),
      jti,
      clientId: req.client.clientId,
      sub: req.sub,
      grantId: authz?._id ?? null,
      scopes: req.scopes,
      audience,
      authTime: authz?.authTime ?? null,
      acr: authz?.acr ?? null,
      createdAt: new Date(Math.max(nowMs, cutoff ?? 0)),
      expiresAt: new Date((now + expiresIn) * 1000),
      revokedAt: null,
      act: act ? JSON.stringify(act) : null,
      jkt: req.jkt ?? null,
    });
    return { token, jti, expiresIn };
  }

  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  // The claims come from the claims pipeline, as the admin API's previewClaims shows them.
  const payload = await buildAccessTokenClaims(rt, tenant, {
    client: req.client,
    sub: req.sub,
    scopes: req.scopes,
    audience,
    grant: authz,
    user: req.user,
    extraClaims: req.extraClaims,
    act,
    jkt: req.jkt,
    issuer: tenant.issuer,
    now,
    expiresIn,
    jti,
  });
  const token = await signJwt(ring, tenant.settings.signingAlg, payload, 'at+jwt');
  return { token, jti, expiresIn };
}

/**
 * Revokes one access token (RFC 7009): a JWT by its jti in the revocation feed until it
 * expires (the revocation views refuse it from then on), an opaque one by marking its
 * record. The authorization it came from stays: its other tokens are unaffected.
 */
export async function revokeAccessToken(rt: Runtime, tenant: TenantContext, at: ActiveAccessToken, token: string): Promise<void> {
  if (at.format === 'jwt') await tenant.store.revocations.record([{ kind: 'token', key: at.jti, expiresAt: new Date(at.exp * 1000) }]);
  else await tenant.store.accessTokens.revoke(rt.envelope.hashSecret(token));
}
