import { randomUUID } from 'node:crypto';
import type { GrantRecord } from '../../tokens/grant-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/**
 * A grant made at the token endpoint rather than by an authorization decision: by the
 * password grant (the user typed the password into the client) or derived from another
 * grant by token exchange. Everything issued from it points back to it, as for any grant.
 */
export interface DirectGrant {
  userId: string;
  clientId: string;
  /** The login session's `sid`; '' when there is none (password grant): no `sid` claim then. */
  sid: string;
  scopes: string[];
  authTime: number;
  acr: string | null;
  amr: string[];
  resource: string[];
  offlineAccess: boolean;
  expiresAt: Date;
  /** Token exchange: the subject token's grant (revoking it revokes this one). */
  parentGrantId?: string | null;
  act?: Record<string, unknown> | null;
}

export function insertDirectGrant(tenant: TenantContext, g: DirectGrant, now = new Date()): Promise<GrantRecord> {
  return tenant.store.grants.insert({
    _id: randomUUID(),
    userId: g.userId,
    clientId: g.clientId,
    sid: g.sid,
    scopes: [...new Set(g.scopes)],
    claims: null,
    authTime: g.authTime,
    acr: g.acr,
    amr: g.amr,
    nonce: null,
    resource: g.resource,
    offlineAccess: g.offlineAccess,
    createdAt: now,
    expiresAt: g.expiresAt,
    revokedAt: null,
    parentGrantId: g.parentGrantId ?? null,
    act: g.act ? JSON.stringify(g.act) : null,
  });
}
