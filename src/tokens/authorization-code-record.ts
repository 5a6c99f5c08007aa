import type { GrantRecord } from './grant-record.js';

/**
 * An authorization code, stored by its hash (`_id`). Single use: redemption sets
 * `usedAt` in one atomic update that only matches while it is still null.
 */
export interface AuthorizationCodeRecord {
  /** Keyed hash of the code; the code itself is never stored. */
  _id: string;
  tenantId: string;
  grantId: string;
  clientId: string;
  /** The redirect_uri of the authorization request; the token request must repeat it exactly. */
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /**
   * A copy of the grant as the decision made it, so redeeming the code reads nothing
   * else (revocation is checked against the revocation view). Null on codes stored
   * before the copy existed: those read the grant.
   */
  grant: GrantRecord | null;
}
