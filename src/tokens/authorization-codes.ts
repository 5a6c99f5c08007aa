import type { Runtime } from '../runtime.js';
import type { AuthorizationCodeRecord } from './authorization-code-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { revokeAuthorization, type AuthorizationRecord } from './authorizations.js';
import { newOpaqueToken } from './opaque-token.js';
import { openSealedCode, sealCode, type SealedCode } from './sealed-code.js';

/*
 * Authorization codes (docs/token-services.md "Authorization codes"). A code is sealed: it
 * carries its record (tokens/sealed-code.ts), so issuing it writes nothing and redeeming it
 * reads nothing; what makes it single use is the insert of its used-record, by the code's
 * keyed hash, whose unique `_id` lets exactly one redemption through, across replicas.
 * Concurrent redemptions share one grouped insert (store/group-insert.ts). A code whose
 * sealed form would be too long for a redirect URL, and codes issued before sealing (43
 * characters), are stored by hash and redeemed with one atomic update.
 */

export interface NewAuthorizationCode {
  /** Seconds the code lives: the tenant's codeTtl unless a profile asks for less (oidc/fapi/profile.ts). */
  lifetimeSeconds?: number;
  authorization: AuthorizationRecord;
  clientId: string;
  /** The redirect_uri of the authorization request; the token request must repeat it exactly. */
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  /** RFC 9449 10: the thumbprint of the DPoP key that alone may redeem the code; null when unbound. */
  dpopJkt?: string | null;
}

/** Stored codes are 43 characters (256 random bits); everything else of ours is sealed. */
const STORED_CODE_LENGTH = 43;
/** Sealed codes longer than this are stored instead: the code travels in a redirect URL (as PAR request_uris). */
const MAX_SEALED_CODE = 2048;

/**
 * Issues an authorization code bound to client, redirect_uri and PKCE challenge, with a
 * copy of its authorization so that redeeming it reads nothing else. Lives `codeTtl`
 * seconds. Sealed (nothing written) unless the sealed form would exceed MAX_SEALED_CODE.
 */
export async function issueAuthorizationCode(rt: Runtime, tenant: TenantContext, c: NewAuthorizationCode): Promise<string> {
  const now = tenant.clock.date();
  const expiresAt = new Date(now.getTime() + (c.lifetimeSeconds ?? tenant.settings.codeTtl) * 1000);
  const sealed = sealCode(rt, tenant, {
    clientId: c.clientId,
    redirectUri: c.redirectUri,
    // Only S256 is accepted at the authorization endpoint (RFC 7636, RFC 9700 2.1.1).
    codeChallenge: c.codeChallenge,
    dpopJkt: c.dpopJkt ?? null,
    createdAt: now,
    expiresAt,
    authorization: c.authorization,
  });
  if (sealed.length <= MAX_SEALED_CODE) return sealed;
  const code = newOpaqueToken();
  await tenant.store.codes.insert({
    _id: rt.envelope.hashSecret(code),
    grantId: c.authorization._id,
    clientId: c.clientId,
    redirectUri: c.redirectUri,
    codeChallenge: c.codeChallenge,
    codeChallengeMethod: c.codeChallengeMethod,
    dpopJkt: c.dpopJkt ?? null,
    createdAt: now,
    expiresAt,
    usedAt: null,
    grant: c.authorization,
  });
  return code;
}

/** The record a sealed code stands for, as a stored code's would read (usedAt: when it was redeemed, if it was). */
function recordOf(tenant: TenantContext, hash: string, s: SealedCode, usedAt: Date | null): AuthorizationCodeRecord {
  return {
    _id: hash,
    tenantId: tenant.id,
    grantId: s.authorization._id,
    clientId: s.clientId,
    redirectUri: s.redirectUri,
    codeChallenge: s.codeChallenge,
    codeChallengeMethod: s.codeChallenge ? 'S256' : null,
    dpopJkt: s.dpopJkt,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    usedAt,
    grant: s.authorization,
  };
}

const isStored = (code: string): boolean => code.length === STORED_CODE_LENGTH;

/**
 * The record of a code that is still unused, without redeeming it: for checks that must
 * refuse a request before its code is spent (a resource that was not granted, RFC 8707).
 * Null for an unknown or used code; redeeming stays the only single-use step.
 */
export async function peekAuthorizationCode(rt: Runtime, tenant: TenantContext, code: string): Promise<AuthorizationCodeRecord | null> {
  if (code.length > MAX_SEALED_CODE) return null;
  const hash = rt.envelope.hashSecret(code);
  if (isStored(code)) {
    const rec = await tenant.store.codes.find(hash);
    return rec && !rec.usedAt ? rec : null;
  }
  const sealed = openSealedCode(rt, tenant, code);
  // A used sealed code has its used-record: it is left to the redemption (reuse revokes).
  return sealed && !(await tenant.store.codes.find(hash)) ? recordOf(tenant, hash, sealed, null) : null;
}

/**
 * A check of the caller's that must pass before the code is spent (it throws to refuse):
 * a refusal then leaves the code to its rightful holder (the DPoP key binding, RFC 9449 10:
 * oidc/grant-types/authorization-code.ts). It sees the record of a code that may already
 * be used (a sealed code's used-record is written after it).
 */
export type BeforeSpend = (rec: AuthorizationCodeRecord) => void;

/**
 * Redeems a code, single use and atomically: of concurrent redemptions (on any replica)
 * exactly one gets the record. A code presented again means it leaked, so its
 * authorization (and with it every token the first redemption issued) is revoked (RFC 6749
 * 4.1.2, RFC 9700 4.5). Null for an unknown or already used code; the caller checks
 * client, expiry, redirect_uri and PKCE (protocol rules). When the database is away the
 * error propagates and the code stays unused (nothing was written). `beforeSpend` runs
 * on the record before the spending write; a stored code is read first for it.
 */
export async function redeemAuthorizationCode(
  rt: Runtime,
  tenant: TenantContext,
  code: string,
  beforeSpend?: BeforeSpend,
): Promise<AuthorizationCodeRecord | null> {
  if (code.length > MAX_SEALED_CODE) return null;
  const hash = rt.envelope.hashSecret(code);
  if (isStored(code)) return redeemStored(rt, tenant, hash, beforeSpend);
  const sealed = openSealedCode(rt, tenant, code);
  if (!sealed) return null;
  const rec = recordOf(tenant, hash, sealed, tenant.clock.date());
  beforeSpend?.(rec);
  // The used-record: the redemption's one write. It keeps the code's expiry, so the expiry
  // sweep removes it when a stored code would have gone; reuse is detected until then.
  const first = await tenant.store.codes.spend({
    ...rec,
    redirectUri: '',
    codeChallenge: null,
    codeChallengeMethod: null,
    dpopJkt: null,
    grant: null,
  });
  if (first) return rec;
  await reused(rt, tenant, rec);
  return null;
}

async function redeemStored(
  rt: Runtime,
  tenant: TenantContext,
  hash: string,
  beforeSpend?: BeforeSpend,
): Promise<AuthorizationCodeRecord | null> {
  if (beforeSpend) {
    // Stored codes are the rare long ones: one more read, so a refusal leaves the code unspent.
    const unspent = await tenant.store.codes.find(hash);
    if (unspent && !unspent.usedAt) beforeSpend(unspent);
  }
  const rec = await tenant.store.codes.consume(hash);
  if (rec) return rec;
  const used = await tenant.store.codes.find(hash);
  if (used) await reused(rt, tenant, used);
  return null;
}

async function reused(rt: Runtime, tenant: TenantContext, used: Pick<AuthorizationCodeRecord, 'grantId' | 'clientId'>): Promise<void> {
  await revokeAuthorization(tenant, used.grantId);
  rt.log.warn({ tenant: tenant.slug, clientId: used.clientId, grantId: used.grantId }, 'authorization code reused: grant revoked');
}
