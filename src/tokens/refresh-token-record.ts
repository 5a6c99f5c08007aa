/**
 * A spent refresh token, stored by its keyed hash (`_id`) when it is exchanged. Refresh
 * tokens are sealed and self-contained (oidc/issue/refresh-token.ts): one that has no
 * record here is unspent. The family is the grant: presenting a spent token revokes the
 * grant (so the whole family and its access tokens). Kept until the family ends.
 */
export interface RefreshTokenRecord {
  _id: string;
  tenantId: string;
  grantId: string;
  clientId: string;
  /** The scopes originally granted; a refresh may narrow the access token's, never widen. */
  scopes: string[];
  createdAt: Date;
  /** Absolute end of the family (grant creation + refreshTokenTtl); rotation keeps it. */
  expiresAt: Date;
  /** When it was exchanged (records exist only for spent tokens). */
  rotatedAt: Date | null;
}
