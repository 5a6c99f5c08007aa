import { randomUUID } from 'node:crypto';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { AuthorizationRecord } from './authorization-record.js';

export type { AuthorizationRecord };

/*
 * An authorization (authorization-record.ts) is what a user — or the password grant, or a token
 * exchange — allowed a client: scopes, claims, the authentication behind it. Every code,
 * access token and refresh token family issued from it points back to it, so revoking it
 * revokes them all. Stored in the `grants` collection and referred to as `grantId` in token
 * records and the `gid` JWT claim: storage and wire names predate the name
 * (docs/token-services.md "The tokens domain").
 */

/** What an authorization is made of; the protocol layer decides it (authorization decision, password grant, token exchange). */
export interface NewAuthorization {
  userId: string;
  clientId: string;
  /** The login session's `sid`; '' when there is none (password grant): no `sid` claim then. */
  sid: string;
  scopes: string[];
  /** The `claims` request parameter (OIDC Core 5.5) as JSON, if any. */
  claims?: string | null;
  /** Seconds since the epoch. */
  authTime: number;
  acr: string | null;
  amr: string[];
  nonce?: string | null;
  resource: string[];
  offlineAccess: boolean;
  expiresAt: Date;
  /** Token exchange: the authorization this one is derived from (revoking that one revokes this one). */
  parentId?: string | null;
  act?: Record<string, unknown> | null;
}

/**
 * How long an authorization lives: long enough for everything that may be issued from it
 * — the code (if any) and its access token, or the refresh token family (absolute
 * lifetime from now) and the last access token a refresh can mint.
 */
export function authorizationEnd(tenant: TenantContext, o: { offlineAccess: boolean; viaCode: boolean }, now: Date): Date {
  const s = tenant.settings;
  const span = (o.offlineAccess ? s.refreshTokenTtl : o.viaCode ? s.codeTtl : 0) + s.accessTokenTtl;
  return new Date(now.getTime() + span * 1000);
}

export function recordAuthorization(tenant: TenantContext, a: NewAuthorization, now = tenant.clock.date()): Promise<AuthorizationRecord> {
  return tenant.store.authorizations.insert({
    _id: randomUUID(),
    userId: a.userId,
    clientId: a.clientId,
    sid: a.sid,
    scopes: [...new Set(a.scopes)],
    claims: a.claims ?? null,
    authTime: a.authTime,
    acr: a.acr,
    amr: a.amr,
    nonce: a.nonce ?? null,
    resource: a.resource,
    offlineAccess: a.offlineAccess,
    createdAt: now,
    expiresAt: a.expiresAt,
    revokedAt: null,
    parentGrantId: a.parentId ?? null,
    act: a.act ? JSON.stringify(a.act) : null,
  });
}

/** When the refresh token family of an authorization ends (rotation keeps it). */
export const refreshFamilyEnd = (tenant: TenantContext, a: AuthorizationRecord): Date =>
  new Date(new Date(a.createdAt).getTime() + tenant.settings.refreshTokenTtl * 1000);

/**
 * The authorization if it is active: neither revoked, expired nor derived from one that
 * is. Answered by the revocation view (at once in the process that revoked it, within the
 * cache sync interval elsewhere). A record already in hand (the copy an authorization code
 * carries) is checked and cached without a read.
 */
export function activeAuthorization(
  rt: Runtime,
  tenant: TenantContext,
  ref: string | AuthorizationRecord,
): Promise<AuthorizationRecord | null> {
  return typeof ref === 'string' ? rt.revocations.activeAuthorization(tenant, ref) : rt.revocations.adoptAuthorization(tenant, ref);
}

/** Active authorizations of a client made in login session `sid` (an ID token's session, for token exchange). */
export async function sessionAuthorizations(
  rt: Runtime,
  tenant: TenantContext,
  sid: string,
  clientId: string,
): Promise<AuthorizationRecord[]> {
  const out: AuthorizationRecord[] = [];
  for (const candidate of await tenant.store.authorizations.findActiveForSession(sid, clientId)) {
    const a = await activeAuthorization(rt, tenant, candidate._id);
    if (a) out.push(a);
  }
  return out;
}

/** Revokes an authorization and so everything issued from it (and authorizations derived from it); true if it was active. */
export const revokeAuthorization = (tenant: TenantContext, id: string): Promise<boolean> => tenant.store.authorizations.revoke(id);

/** Whether the authorization is active in the database itself (not the view): for a check that must see a revocation made a moment ago. */
export const activeInStore = async (tenant: TenantContext, id: string): Promise<boolean> =>
  (await tenant.store.authorizations.findActive(id)) !== null;
