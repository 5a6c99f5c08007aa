import type { TenantContext } from '../tenancy/tenant-context.js';
import { InputError } from '../errors/domain-errors.js';

export interface RevocationTarget {
  userId?: string | null;
  clientId?: string | null;
  /** Also delete the consents, so the user is asked again (consent revocation, deletions). */
  forgetConsents?: boolean;
}

export interface RevocationResult {
  grants: number;
  accessTokens: number;
  consents: number;
  /** For a whole client: every token issued to it before this instant is revoked (JWTs, which are not stored and so not counted, included). */
  revokedBefore: Date | null;
}

/** A client-wide cut-off matters while any token issued before it may live: the longest lifetime a setting allows. */
const CUTOFF_RELEVANCE_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * Revokes everything a user, a client, or a user at a client holds: their grants (and so
 * every code, access token and refresh token family issued from them) and opaque access
 * tokens. When a whole client is targeted, every token of that client issued until now
 * is revoked too — JWT access tokens of client_credentials, which carry no grant,
 * included — through a cut-off in the revocation feed.
 */
export async function revokeTokens(tenant: TenantContext, target: RevocationTarget): Promise<RevocationResult> {
  const who = { ...(target.userId ? { userId: target.userId } : {}), ...(target.clientId ? { clientId: target.clientId } : {}) };
  if (!who.userId && !who.clientId) throw new InputError('userId', 'give a userId, a clientId, or both', 'invalid_request');
  let revokedBefore: Date | null = null;
  if (who.clientId && !who.userId) {
    const now = Date.now();
    await tenant.store.revocations.record([
      { kind: 'client', key: who.clientId, notBefore: now, expiresAt: new Date(now + CUTOFF_RELEVANCE_MS) },
    ]);
    revokedBefore = new Date(now);
  }
  const admin = tenant.store.accessAdmin;
  const consents = target.forgetConsents ? await admin.deleteConsents(who) : 0;
  const grantIds = await admin.revokeGrants(who);
  // A client's own tokens only when the whole client is targeted; a user's through its grants.
  const accessTokens = await admin.revokeAccessTokens({ grantIds, clientId: who.userId ? undefined : who.clientId });
  return { grants: grantIds.length, accessTokens, consents, revokedBefore };
}

export const revokeClientTokens = (tenant: TenantContext, target: { clientId: string; forgetConsents?: boolean }) =>
  revokeTokens(tenant, target);
export const revokeUserTokens = (tenant: TenantContext, target: { userId: string; forgetConsents?: boolean }) =>
  revokeTokens(tenant, target);

/** Revokes a user's consent to a client and that client's grants (refresh tokens included) for the user. */
export async function revokeConsent(
  tenant: TenantContext,
  userId: string,
  clientId: string,
): Promise<{ hadConsent: boolean; result: RevocationResult }> {
  const result = await revokeTokens(tenant, { userId, clientId, forgetConsents: true });
  return { hadConsent: result.consents > 0, result };
}
