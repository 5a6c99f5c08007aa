/**
 * A browser's login session at one tenant. The cookie carries a random value; only its
 * hash is stored, so a database leak does not hand out sessions.
 */
export interface LoginSessionRecord {
  _id: string;
  tenantId: string;
  /** rt.envelope.hashSecret(cookie value). */
  cookieHash: string;
  userId: string;
  /** The OIDC `sid` claim: random and distinct from the cookie value. */
  sid: string;
  authTime: Date;
  amr: string[];
  acr?: string | null;
  /** Clients that received tokens in this session (for logout). */
  clientIds: string[];
  createdAt: Date;
  expiresAt: Date;
}
