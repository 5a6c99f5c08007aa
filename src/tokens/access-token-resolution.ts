import { LRUCache } from 'lru-cache';
import { GRANT_CLAIM } from '../claims/access-token-claims.js';
import type { KeyRing } from '../keys/key-ring.js';
import { verifyOwnJwt } from '../keys/jwt.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { AuthorizationRecord } from './authorization-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';

/*
 * The one path that turns a presented access token into what it stands for, used by
 * userinfo, introspection, revocation, token exchange and the admin API (/graphql, whose
 * tokens are access tokens of the `system` tenant). Issuing lives in tokens/access-tokens.ts.
 */

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
  grant: AuthorizationRecord | null;
  /** RFC 8693 delegation: who acts on the subject's behalf. */
  act: Record<string, unknown> | null;
  /** RFC 9449: the DPoP key thumbprint the token is bound to; null for a bearer token. */
  jkt: string | null;
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

/** `cnf.jkt` of a JWT access token (RFC 9449 6.1). */
const boundKey = (cnf: unknown): string | null =>
  cnf && typeof cnf === 'object' && typeof (cnf as { jkt?: unknown }).jkt === 'string' ? (cnf as { jkt: string }).jkt : null;

const asStrings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

/** Answered from the revocation view: no database round trip once the grant record is cached. */
async function activeGrant(
  rt: Runtime,
  tenant: TenantContext,
  grantId: unknown,
  clientId: string,
): Promise<AuthorizationRecord | null | false> {
  if (grantId === undefined || grantId === null) return null;
  if (typeof grantId !== 'string') return false;
  const grant = await rt.revocations.activeAuthorization(tenant, grantId);
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
 * Resolves an access token presented to this tenant — the one path for userinfo,
 * introspection, revocation, token exchange and the admin API: signature, issuer, type and
 * expiry for a JWT; the stored record for an opaque token; in both cases revocation (its
 * jti, its client's cut-off) and its authorization, so a revoked authorization revokes
 * its tokens at once. With `{ client: true }` also a client that still exists, and the
 * scopes it still holds. Null for anything not valid here.
 */
export function resolveAccessToken(rt: Runtime, tenant: TenantContext, token: string): Promise<ActiveAccessToken | null>;
export function resolveAccessToken(
  rt: Runtime,
  tenant: TenantContext,
  token: string,
  opts: { client: true },
): Promise<ClientAccessToken | null>;
export function resolveAccessToken(
  rt: Runtime,
  tenant: TenantContext,
  token: string,
  opts?: { client: true },
): Promise<ActiveAccessToken | ClientAccessToken | null> {
  return opts?.client ? withClient(rt, tenant, token) : resolve(rt, tenant, token);
}

async function resolve(rt: Runtime, tenant: TenantContext, token: string): Promise<ActiveAccessToken | null> {
  if (!token || token.length > 8192) return null;
  if (token.split('.').length === 3) {
    const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
    const known = verifiedTokens.get(token);
    let payload = known?.ring === ring ? known.payload : undefined;
    if (!payload) {
      try {
        payload = (await verifyOwnJwt(ring, token, { issuer: tenant.issuer, typ: 'at+jwt', now: tenant.clock.date() })).payload as Record<
          string,
          unknown
        >;
      } catch {
        return null;
      }
      verifiedTokens.set(token, { ring, payload });
    }
    const { sub, client_id: clientId, exp, iat, jti } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof exp !== 'number' || typeof jti !== 'string') return null;
    // Our own clock issued it: no skew allowance at expiry.
    if (exp * 1000 <= tenant.clock.now()) return null;
    const gid = typeof payload[GRANT_CLAIM] === 'string' ? (payload[GRANT_CLAIM] as string) : null;
    if (await rt.revocations.isRevoked(tenant, { jti, clientId, issuedAt: (typeof iat === 'number' ? iat : 0) * 1000, grantId: gid }))
      return null;
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
      jkt: boundKey(payload.cnf),
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
    jkt: rec.jkt ?? null,
  };
}

/** A valid access token with its client, which is still registered. */
export interface ClientAccessToken {
  token: ActiveAccessToken;
  client: ClientRecord;
  /**
   * The token's scopes that its client may still request. A scope taken from a client
   * afterwards is no longer held: the admin API grants privileges only from these.
   */
  heldScopes: string[];
}

/**
 * An access token whose client still exists: a deleted client's tokens are dead (its
 * deletion also cuts them off in the revocation feed; this holds on a replica that has
 * seen the client change but not yet the feed). Client changes reach other replicas with
 * the tenant cache sync, like the revocation feed.
 */
async function withClient(rt: Runtime, tenant: TenantContext, token: string): Promise<ClientAccessToken | null> {
  const at = await resolve(rt, tenant, token);
  if (!at) return null;
  const client = await rt.clients.find(tenant, at.clientId);
  if (!client) return null;
  return { token: at, client, heldScopes: at.scopes.filter((s) => client.scopes.includes(s)) };
}
