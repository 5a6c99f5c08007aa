import { randomBytes } from 'node:crypto';
import { signJwt, verifyOwnJwt } from '../keys/jwt.js';
import type { Runtime } from '../services/runtime.js';
import type { ClientRecord } from '../store/models/client.js';
import type { GrantRecord } from '../store/models/grant.js';
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
}

/** The private JWT claim that links a user's access token to its grant. */
export const GRANT_CLAIM = 'gid';

const newToken = (): string => randomBytes(32).toString('base64url');

/** Never beyond the grant: a token must not outlive what it was issued from. */
function lifetime(tenant: TenantContext, grant: GrantRecord | undefined, now: number): number {
  const ttl = tenant.settings.accessTokenTtl;
  if (!grant) return ttl;
  return Math.max(1, Math.min(ttl, Math.floor(new Date(grant.expiresAt).getTime() / 1000) - now));
}

/**
 * Issues an access token: an RFC 9068 JWT signed with the tenant's signingAlg ACTIVE
 * key by default, or an opaque random string stored hashed when the client chose
 * `opaque`. A user token carries its grant id, so revoking the grant revokes it.
 */
export async function issueAccessToken(rt: Runtime, tenant: TenantContext, req: AccessTokenRequest): Promise<IssuedAccessToken> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = lifetime(tenant, req.grant, now);
  const jti = randomBytes(16).toString('base64url');
  const audience = req.audience?.length ? req.audience : [tenant.issuer];

  if (req.client.accessTokenFormat === 'opaque') {
    const token = newToken();
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
      createdAt: new Date(now * 1000),
      expiresAt: new Date((now + expiresIn) * 1000),
      revokedAt: null,
    });
    return { token, jti, expiresIn };
  }

  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  const userClaims = req.grant
    ? { auth_time: req.grant.authTime, ...(req.grant.acr ? { acr: req.grant.acr } : {}), [GRANT_CLAIM]: req.grant._id }
    : {};
  const token = await signJwt(
    ring,
    tenant.settings.signingAlg,
    {
      ...req.extraClaims,
      ...userClaims,
      iss: tenant.issuer,
      sub: req.sub,
      aud: audience.length === 1 ? audience[0] : audience,
      exp: now + expiresIn,
      iat: now,
      jti,
      client_id: req.client.clientId,
      scope: req.scopes.join(' '),
    },
    'at+jwt',
  );
  return { token, jti, expiresIn };
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

async function activeGrant(tenant: TenantContext, grantId: unknown, clientId: string): Promise<GrantRecord | null | false> {
  if (grantId === undefined || grantId === null) return null;
  if (typeof grantId !== 'string') return false;
  const grant = await tenant.store.grants.findActive(grantId);
  if (!grant || grant.clientId !== clientId) return false;
  return grant;
}

/**
 * Resolves an access token presented to this tenant: signature, issuer, type and expiry
 * for a JWT; the stored record for an opaque token; and in both cases the grant, so a
 * revoked grant revokes its tokens at once. Null for anything not valid here.
 */
export async function resolveAccessToken(rt: Runtime, tenant: TenantContext, token: string): Promise<ActiveAccessToken | null> {
  if (!token || token.length > 8192) return null;
  if (token.split('.').length === 3) {
    const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
    let payload: Record<string, unknown>;
    try {
      payload = (await verifyOwnJwt(ring, token, { issuer: tenant.issuer, typ: 'at+jwt' })).payload as Record<string, unknown>;
    } catch {
      return null;
    }
    const { sub, client_id: clientId, exp, iat, jti } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof exp !== 'number' || typeof jti !== 'string') return null;
    const grant = await activeGrant(tenant, payload[GRANT_CLAIM], clientId);
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
    };
  }
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return null;
  const rec = await tenant.store.accessTokens.findActive(rt.envelope.hashSecret(token));
  if (!rec) return null;
  const grant = await activeGrant(tenant, rec.grantId, rec.clientId);
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
  };
}
