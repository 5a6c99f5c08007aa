import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { KeyRing } from '../keys/key-ring.js';
import { signJwt, verifyOwnJwt } from '../keys/jwt.js';
import { newOpaqueToken } from './issue/grant.js';
import type { Runtime } from '../services/runtime.js';
import type { ClientRecord } from '../store/models/client.js';
import type { GrantRecord } from '../store/models/grant.js';
import type { UserRecord } from '../store/models/user.js';
import { buildAccessTokenClaims, GRANT_CLAIM } from '../claims/access-token-claims.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export interface AccessTokenRequest {
  client: ClientRecord;
  /** The user's subject as this client sees it, or the client itself for client_credentials. */
  sub: string;
  scopes: string[];
  audience?: string[];
  /** The user's grant the token is issued from; revoking the grant revokes the token. */
  grant?: GrantRecord;
  extraClaims?: Record<string, unknown>;
  /** The end-user: claim resolvers that target ACCESS_TOKEN add their claims to a JWT access token. */
  user?: UserRecord | null;
  /** RFC 8693 `act` (delegation); by default the grant's, if it was derived by token exchange. */
  act?: Record<string, unknown> | null;
  /** Seconds since the epoch the token must not outlive (the subject token of an exchange). */
  notAfter?: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

/** What a valid access token stands for, whatever its format. */
export interface ActiveAccessToken {
  format: 'jwt' | 'opaque';
  jti: string;
  sub: string;
  clientId: string;
  scopes: string[];
  audience: string[];
  /** Seconds since the epoch. */
  exp: number;
  iat: number;
  authTime: number | null;
  acr: string | null;
  /** The (active) grant of a user token; null for client_credentials tokens. */
  grant: GrantRecord | null;
  /** RFC 8693 delegation: who acts on the subject's behalf. */
  act: Record<string, unknown> | null;
}

export { GRANT_CLAIM };


/** Never beyond the grant (or the exchanged token): a token must not outlive what it was issued from. */
function lifetime(tenant: TenantContext, req: AccessTokenRequest, now: number): number {
  let ttl = tenant.settings.accessTokenTtl;
  if (req.grant) ttl = Math.min(ttl, Math.floor(new Date(req.grant.expiresAt).getTime() / 1000) - now);
  if (req.notAfter !== undefined) ttl = Math.min(ttl, req.notAfter - now);
  return Math.max(1, ttl);
}

/** A JSON object stored as a string (FerretDB-safe), or null. */
export function parseJsonObject(json: string | null | undefined): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Issues an access token: an RFC 9068 JWT signed with the tenant's signingAlg ACTIVE
 * key by default, or an opaque random string stored hashed when the client chose
 * `opaque`. A user token carries its grant id, so revoking the grant revokes it.
 */
export async function issueAccessToken(rt: Runtime, tenant: TenantContext, req: AccessTokenRequest): Promise<IssuedAccessToken> {
  const nowMs = Date.now();
  let now = Math.floor(nowMs / 1000);
  // After a revoke-all of this client within the current second, a new token must be
  // dated after the cut-off, or second-granular iat would revoke it at birth.
  const cutoff = rt.revocations.peekClientCutoff(tenant, req.client.clientId);
  if (cutoff !== undefined && now * 1000 < cutoff) now = Math.ceil(cutoff / 1000);
  const expiresIn = lifetime(tenant, req, now);
  const jti = randomBytes(16).toString('base64url');
  const audience = req.audience?.length ? req.audience : [tenant.issuer];
  const act = req.act !== undefined ? req.act : parseJsonObject(req.grant?.act);

  if (req.client.accessTokenFormat === 'opaque') {
    const token = newOpaqueToken();
    await tenant.store.accessTokens.insert({
      _id: rt.envelope.hashSecret(token),
      jti,
      clientId: req.client.clientId,
      sub: req.sub,
      grantId: req.grant?._id ?? null,
      scopes: req.scopes,
      audience,
      authTime: req.grant?.authTime ?? null,
      acr: req.grant?.acr ?? null,
      createdAt: new Date(Math.max(nowMs, cutoff ?? 0)),
      expiresAt: new Date((now + expiresIn) * 1000),
      revokedAt: null,
      act: act ? JSON.stringify(act) : null,
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
    grant: req.grant,
    user: req.user,
    extraClaims: req.extraClaims,
    act,
    issuer: tenant.issuer,
    now,
    expiresIn,
    jti,
  });
  const token = await signJwt(ring, tenant.settings.signingAlg, payload, 'at+jwt');
  return { token, jti, expiresIn };
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** Answered from the revocation view: no database round trip once the grant record is cached. */
async function activeGrant(rt: Runtime, tenant: TenantContext, grantId: unknown, clientId: string): Promise<GrantRecord | null | false> {
  if (grantId === undefined || grantId === null) return null;
  if (typeof grantId !== 'string') return false;
  const grant = await rt.revocations.activeGrant(tenant, grantId);
  if (!grant || grant.clientId !== clientId) return false;
  return grant;
}

/**
 * JWT access tokens whose signature this process has checked, with their claims: a
 * resource server introspects, and a client calls userinfo with, the same token many
 * times. An entry is used only with the very key ring it was verified against — a key
 * change makes a new ring, so a revoked key's tokens are verified again and fail — and
 * expiry and revocation are checked on every use below, as for a fresh verification.
 */
const verifiedTokens = new LRUCache<string, { ring: KeyRing; payload: Record<string, unknown> }>({ max: 5_000 });

/**
 * Resolves an access token presented to this tenant: signature, issuer, type and expiry
 * for a JWT; the stored record for an opaque token; and in both cases the grant, so a
 * revoked grant revokes its tokens at once. Null for anything not valid here.
 */
export async function resolveAccessToken(rt: Runtime, tenant: TenantContext, token: string): Promise<ActiveAccessToken | null> {
  if (!token || token.length > 8192) return null;
  if (token.split('.').length === 3) {
    const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
    const known = verifiedTokens.get(token);
    let payload = known?.ring === ring ? known.payload : undefined;
    if (!payload) {
      try {
        payload = (await verifyOwnJwt(ring, token, { issuer: tenant.issuer, typ: 'at+jwt' })).payload as Record<string, unknown>;
      } catch {
        return null;
      }
      verifiedTokens.set(token, { ring, payload });
    }
    const { sub, client_id: clientId, exp, iat, jti } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof exp !== 'number' || typeof jti !== 'string') return null;
    // Our own clock issued it: no skew allowance at expiry.
    if (exp * 1000 <= Date.now()) return null;
    const gid = typeof payload[GRANT_CLAIM] === 'string' ? (payload[GRANT_CLAIM] as string) : null;
    if (await rt.revocations.isRevoked(tenant, { jti, clientId, issuedAt: (typeof iat === 'number' ? iat : 0) * 1000, grantId: gid })) return null;
    const grant = await activeGrant(rt, tenant, payload[GRANT_CLAIM], clientId);
    if (grant === false) return null;
    return {
      format: 'jwt',
      jti,
      sub,
      clientId,
      scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
      audience: asStrings(payload.aud),
      exp,
      iat: typeof iat === 'number' ? iat : 0,
      authTime: typeof payload.auth_time === 'number' ? payload.auth_time : null,
      acr: typeof payload.acr === 'string' ? payload.acr : null,
      grant,
      act: payload.act && typeof payload.act === 'object' && !Array.isArray(payload.act) ? (payload.act as Record<string, unknown>) : null,
    };
  }
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return null;
  const rec = await rt.revocations.opaqueToken(tenant, rt.envelope.hashSecret(token));
  if (!rec) return null;
  const grant = await activeGrant(rt, tenant, rec.grantId, rec.clientId);
  if (grant === false) return null;
  return {
    format: 'opaque',
    jti: rec.jti,
    sub: rec.sub,
    clientId: rec.clientId,
    scopes: rec.scopes,
    audience: rec.audience,
    exp: Math.floor(new Date(rec.expiresAt).getTime() / 1000),
    iat: Math.floor(new Date(rec.createdAt).getTime() / 1000),
    authTime: rec.authTime,
    acr: rec.acr,
    grant,
    act: parseJsonObject(rec.act) ?? parseJsonObject(grant?.act),
  };
}
