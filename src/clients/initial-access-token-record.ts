/**
 * An initial access token for dynamic client registration (RFC 7591 section 3), made by
 * `createInitialAccessToken`. Only its keyed hash is stored; the token is shown once.
 */
export interface InitialAccessTokenRecord {
  _id: string;
  tenantId: string;
  /** rt.envelope.hashSecret(token). */
  tokenHash: string;
  /** Single-use tokens are spent by their first successful registration. */
  singleUse: boolean;
  usedAt: Date | null;
  /** How many registrations it has authorized. */
  uses: number;
  /** The admin client that made it. */
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}
