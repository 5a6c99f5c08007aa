import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/** What a refresh token says about itself. */
export interface RefreshClaims {
  grantId: string;
  clientId: string;
  /** The scopes a refresh may ask for (the grant's, or the exchanged ones); never widened. */
  scopes: string[];
  createdAt: Date;
  /** Absolute end of the family (grant creation + refreshTokenTtl): rotation keeps it. */
  expiresAt: Date;
  /** RFC 9449 5: the DPoP key thumbprint a public client's refresh token is bound to. */
  jkt?: string;
}

/** Longer than any token sealTokens makes for client ids and scopes within their limits. */
export const MAX_REFRESH_TOKEN_LENGTH = 2048;

const context = (tenant: TenantContext): string => `refresh-token|${tenant.id}`;

/**
 * A refresh token is its own record, sealed (AES-256-GCM under the deployment's token key,
 * bound to the tenant): issuing one writes nothing. What the database keeps is the spent
 * ones, by keyed hash (store/repos/refresh-tokens.ts), written once when a token is
 * exchanged — the write that makes it single-use. The family is the grant: revoking the
 * grant revokes every token of it, and presenting a spent token revokes the grant.
 */
export function sealRefreshToken(rt: Runtime, tenant: TenantContext, c: RefreshClaims): string {
  const body = JSON.stringify({
    g: c.grantId,
    c: c.clientId,
    s: c.scopes,
    i: Math.floor(c.createdAt.getTime() / 1000),
    e: Math.floor(c.expiresAt.getTime() / 1000),
    // Two tokens sealed in the same second for the same grant still differ (and hash apart).
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
