/**
 * The `jti` of a client assertion (RFC 7523) already used, kept until the assertion
 * expires: the unique index makes a replay fail atomically on insert.
 */
export interface ClientAssertionRecord {
  _id: string;
  tenantId: string;
  clientId: string;
  jti: string;
  expiresAt: Date;
}
