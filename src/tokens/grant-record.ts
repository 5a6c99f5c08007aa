/**
 * A user's authorization of a client, made by one authorization decision. Everything
 * issued from it (code, access tokens, the refresh token family) points back here, so
 * revoking the grant revokes all of it at once.
 */
export interface GrantRecord {
  _id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  /** `sid` of the login session the decision was made in. */
  sid: string;
  scopes: string[];
  /** The `claims` request parameter (OIDC Core 5.5) as JSON: claim names are user-supplied. */
  claims: string | null;
  /** Seconds since the epoch. */
  authTime: number;
  acr: string | null;
  amr: string[];
  nonce: string | null;
  /** RFC 8707 resources the tokens are meant for. */
  resource: string[];
  /** Refresh tokens may be issued from this grant (offline_access under prompt=consent). */
  offlineAccess: boolean;
  createdAt: Date;
  /** Past this nothing issued from the grant is valid any more (refresh family included). */
  expiresAt: Date;
  revokedAt: Date | null;
  /**
   * The grant this one was derived from by token exchange (RFC 8693). Revoking a grant
   * revokes its derived grants too (store/repos/grants.ts), so delegation never outlives
   * what it was delegated from. Absent on grants made by an authorization decision.
   */
  parentGrantId?: string | null;
  /** The RFC 8693 `act` claim (JSON) every access token of this grant carries. */
  act?: string | null;
}
