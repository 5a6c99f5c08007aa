/**
 * An opaque access token (for clients that chose `opaque`), stored by its hash (`_id`)
 * with what a JWT access token would have carried.
 */
export interface AccessTokenRecord {
  _id: string;
  tenantId: string;
  jti: string;
  clientId: string;
  /** The subject as the client sees it (public or pairwise), or the client id. */
  sub: string;
  /** The grant of a user token; null for client_credentials. */
  grantId: string | null;
  scopes: string[];
  audience: string[];
  authTime: number | null;
  acr: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** The RFC 8693 `act` claim (JSON) of a token issued by token exchange. */
  act?: string | null;
  /** RFC 9449: the DPoP key thumbprint the token is bound to (introspection's `cnf.jkt`). */
  jkt?: string | null;
}
