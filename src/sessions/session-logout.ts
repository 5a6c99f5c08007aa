import type { LoginSessionRecord } from './login-session-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export interface EndedLoginSession {
  /** Grants of the session revoked with it. */
  revokedGrants: number;
}

/**
 * Ends a login session: deletes its record (the cookie then opens nothing) and revokes
 * the grants made in it, except offline_access ones — as node-oidc-provider does: a
 * refresh token the user granted offline access for is meant to outlive the login
 * (OIDC Core 11), while everything else issued in the session (codes, access tokens,
 * their grants) ends with it. Null when another request ended the session first, so
 * that only one request notifies the clients.
 */
export async function endLoginSession(tenant: TenantContext, record: LoginSessionRecord): Promise<EndedLoginSession | null> {
  if (!(await tenant.store.loginSessions.end(record._id))) return null;
  const revokedGrants = await tenant.store.grants.revokeForSession(record.userId, record.sid);
  return { revokedGrants };
}
