import type { Runtime } from '../runtime.js';
import type { AuthorizationCodeRecord } from './authorization-code-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { revokeAuthorization, type AuthorizationRecord } from './authorizations.js';
import { newOpaqueToken } from './opaque-token.js';

export interface NewAuthorizationCode {
  /** Seconds the code lives: the tenant's codeTtl unless a profile asks for less (oidc/fapi/profile.ts). */
  lifetimeSeconds?: number;
  authorization: AuthorizationRecord;
  clientId: string;
  /** The redirect_uri of the authorization request; the token request must repeat it exactly. */
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
}

/** Codes longer than this are not ours (ours are 43 characters). */
const MAX_CODE_LENGTH = 512;

/**
 * Issues an authorization code: stored by its keyed hash, bound to client, redirect_uri
 * and PKCE challenge, with a copy of its authorization so that redeeming it reads nothing
 * else. Lives `codeTtl` seconds.
 */
export async function issueAuthorizationCode(rt: Runtime, tenant: TenantContext, c: NewAuthorizationCode): Promise<string> {
  const code = newOpaqueToken();
  const now = tenant.clock.date();
  await tenant.store.codes.insert({
    _id: rt.envelope.hashSecret(code),
    grantId: c.authorization._id,
    clientId: c.clientId,
    redirectUri: c.redirectUri,
    codeChallenge: c.codeChallenge,
    codeChallengeMethod: c.codeChallengeMethod,
    createdAt: now,
    expiresAt: new Date(now.getTime() + (c.lifetimeSeconds ?? tenant.settings.codeTtl) * 1000),
    usedAt: null,
    grant: c.authorization,
  });
  return code;
}

/**
 * The record of a code that is still unused, without redeeming it: for checks that must
 * refuse a request before its code is spent (a resource that was not granted, RFC 8707).
 * Null for an unknown or used code; redeeming stays the only single-use step.
 */
export async function peekAuthorizationCode(rt: Runtime, tenant: TenantContext, code: string): Promise<AuthorizationCodeRecord | null> {
  if (code.length > MAX_CODE_LENGTH) return null;
  const rec = await tenant.store.codes.find(rt.envelope.hashSecret(code));
  return rec && !rec.usedAt ? rec : null;
}

/**
 * Redeems a code, single use and atomically: of concurrent redemptions exactly one gets
 * the record. A code presented again means it leaked, so its authorization (and with it
 * every token the first redemption issued) is revoked (RFC 6749 4.1.2, RFC 9700 4.5).
 * Null for an unknown or already used code; the caller checks client, expiry,
 * redirect_uri and PKCE (protocol rules).
 */
export async function redeemAuthorizationCode(rt: Runtime, tenant: TenantContext, code: string): Promise<AuthorizationCodeRecord | null> {
  if (code.length > MAX_CODE_LENGTH) return null;
  const hash = rt.envelope.hashSecret(code);
  const rec = await tenant.store.codes.consume(hash);
  if (rec) return rec;
  const used = await tenant.store.codes.find(hash);
  if (used) {
    await revokeAuthorization(tenant, used.grantId);
    rt.log.warn({ tenant: tenant.slug, clientId: used.clientId, grantId: used.grantId }, 'authorization code reused: grant revoked');
  }
  return null;
}
