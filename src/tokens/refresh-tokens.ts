import { randomBytes } from 'node:crypto';
import type { Runtime } from '../runtime.js';
import type { RefreshTokenRecord } from './refresh-token-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { revokeAuthorization } from './authorizations.js';

/*
 * Refresh tokens: sealed, rotated on every use, a spent one presented again revokes its
 * family (the authorization) unless the tenant's reuse grace window says it is a retry.
 * docs/token-services.md "Refresh tokens" and "Refresh token rotation grace".
 */

/** What a refresh token says about itself. */
export interface RefreshClaims {
  /** The authorization (family) it belongs to. */
  grantId: string;
  clientId: string;
  /** The scopes a refresh may ask for (the authorization's, or the exchanged ones); never widened. */
  scopes: string[];
  createdAt: Date;
  /** Absolute end of the family (authorization creation + refreshTokenTtl): rotation keeps it. */
  expiresAt: Date;
  /** RFC 9449 5: the DPoP key thumbprint a public client's refresh token is bound to. */
  jkt?: string;
}

/** Longer than any token sealRefreshToken makes for client ids and scopes within their limits. */
export const MAX_REFRESH_TOKEN_LENGTH = 2048;

const context = (tenant: TenantContext): string => `refresh-token|${tenant.id}`;

/**
 * A refresh token is its own record, sealed (AES-256-GCM under the deployment's token key,
 * bound to the tenant): issuing one writes nothing. What the database keeps is the spent
 * ones, by keyed hash (store/repos/refresh-tokens.ts), written once when a token is
 * exchanged — the write that makes it single-use. The family is the authorization:
 * revoking it revokes every token of it, and presenting a spent token revokes it.
 */
export function sealRefreshToken(rt: Runtime, tenant: TenantContext, c: RefreshClaims): string {
  const body = JSON.stringify({
    g: c.grantId,
    c: c.clientId,
    s: c.scopes,
    i: Math.floor(c.createdAt.getTime() / 1000),
    e: Math.floor(c.expiresAt.getTime() / 1000),
    // Two tokens sealed in the same second for the same authorization still differ (and hash apart).
    n: randomBytes(9).toString('base64url'),
    ...(c.jkt ? { k: c.jkt } : {}),
  });
  return rt.envelope.sealToken(body, context(tenant));
}

/** The claims of a refresh token of this tenant, or null for anything that is not one. */
export function openRefreshToken(rt: Runtime, tenant: TenantContext, token: string): RefreshClaims | null {
  if (token.length > MAX_REFRESH_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const raw = rt.envelope.openToken(token, context(tenant));
  if (!raw) return null;
  try {
    const v = JSON.parse(raw.toString('utf8')) as { g?: unknown; c?: unknown; s?: unknown; i?: unknown; e?: unknown; k?: unknown };
    if (typeof v.g !== 'string' || typeof v.c !== 'string' || !Array.isArray(v.s) || typeof v.i !== 'number' || typeof v.e !== 'number')
      return null;
    return {
      grantId: v.g,
      clientId: v.c,
      scopes: v.s.filter((x): x is string => typeof x === 'string'),
      createdAt: new Date(v.i * 1000),
      expiresAt: new Date(v.e * 1000),
      ...(typeof v.k === 'string' ? { jkt: v.k } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * A refresh token of this tenant that has not expired, as a record: `rotatedAt` is set if
 * it was spent (exchanged); the caller decides what that means.
 */
export async function findRefreshToken(rt: Runtime, tenant: TenantContext, token: string): Promise<RefreshTokenRecord | null> {
  const claims = openRefreshToken(rt, tenant, token);
  if (!claims || claims.expiresAt.getTime() <= tenant.clock.now()) return null;
  const hash = rt.envelope.hashSecret(token);
  const spent = await tenant.store.refreshTokens.findSpent(hash);
  return { _id: hash, tenantId: tenant.id, ...claims, rotatedAt: spent ? (spent.rotatedAt ?? new Date(0)) : null };
}

/** A refresh token revokes its family: the authorization, every token issued from it, and what was exchanged from it. */
export const revokeRefreshFamily = (tenant: TenantContext, rec: Pick<RefreshTokenRecord, 'grantId'>): Promise<boolean> =>
  revokeAuthorization(tenant, rec.grantId);

/**
 * What spending a presented refresh token came to: `spent` (first use: rotate),
 * `retry` (spent before by its own client within the tenant's reuse grace window: a
 * retry after a lost response, rotate again in the same family) or `reused` (spent
 * before otherwise: the family has been revoked).
 */
export type SpendOutcome = 'spent' | 'retry' | 'reused';

/**
 * Spends a refresh token, atomically: of concurrent exchanges of one token exactly one
 * insert of its hash succeeds (RFC 9700 4.14.2 rotation). A token presented by another
 * client than its own is spent as well (it has leaked); the caller refuses it. Reuse
 * detection: a spent token presented again revokes the family, unless its own client
 * presents it within `refreshTokenReuseGraceSeconds` of its first rotation (the window
 * runs from the stored rotation time, so retries never extend it).
 */
export async function spendRefreshToken(
  rt: Runtime,
  tenant: TenantContext,
  token: string,
  claims: RefreshClaims,
  presenterClientId: string,
): Promise<SpendOutcome> {
  const rec = { _id: rt.envelope.hashSecret(token), ...claims, rotatedAt: tenant.clock.date() };
  if (await tenant.store.refreshTokens.spend(rec)) return 'spent';
  const log = { tenant: tenant.slug, clientId: claims.clientId, grantId: claims.grantId };
  const grace = tenant.settings.refreshTokenReuseGraceSeconds;
  if (presenterClientId === claims.clientId && grace) {
    const spent = await tenant.store.refreshTokens.findSpent(rec._id);
    const rotatedAt = spent?.rotatedAt ? new Date(spent.rotatedAt).getTime() : Number.NEGATIVE_INFINITY;
    if (tenant.clock.now() - rotatedAt <= grace * 1000) {
      rt.log.info(log, 'refresh token presented again within the reuse grace window');
      return 'retry';
    }
  }
  await revokeRefreshFamily(tenant, claims);
  rt.log.warn(log, 'refresh token reused: grant revoked');
  return 'reused';
}
