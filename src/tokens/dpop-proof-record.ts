/**
 * A DPoP proof already used (RFC 9449 11.1), by a hash of its key thumbprint and `jti`,
 * kept until the proof would be too old anyway: the unique index makes a replay fail
 * atomically on insert, on whichever replica it arrives.
 */
export interface DpopProofRecord {
  _id: string;
  tenantId: string;
  /** SHA-256 of `jkt|jti`, base64url: fixed length whatever the client sent. */
  key: string;
  expiresAt: Date;
}
