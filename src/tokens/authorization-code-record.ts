import type { AuthorizationRecord } from './authorization-record.js';

/**
 * An authorization code's record, by the code's keyed hash (`_id`). A sealed code carries
 * it (tokens/sealed-code.ts) and is stored only when redeemed, as a used-record (`usedAt`
 * set, no `grant`) whose unique `_id` makes it single use. A stored code (too large to
 * seal, or from before sealing) is kept whole, and redemption sets `usedAt` in one atomic
 * update that only matches while it is still null.
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
  /**
   * RFC 9449 10: the JWK SHA-256 thumbprint of the DPoP key the code is bound to (`dpop_jkt`,
   * or the key of a DPoP proof sent to PAR); only a token request with a proof of that key
   * redeems it. Null (or absent, on codes stored before binding existed) when unbound.
   */
  dpopJkt?: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /**
   * A copy of the grant as the decision made it, so redeeming the code reads nothing
   * else (revocation is checked against the revocation view). Null on codes stored
   * before the copy existed: those read the grant.
   */
  grant: AuthorizationRecord | null;
}
