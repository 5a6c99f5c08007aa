/*
 * The records of the tokens domain (docs/token-services.md "The tokens domain"): what the
 * store keeps for codes, opaque access tokens, spent refresh tokens, authorizations and
 * revocations. The store maps them to documents (src/store/models/); nothing here knows
 * the database. Storage names (`grants`, `grantId`) predate the name "authorization".
 */

/**
 * A user's authorization of a client, made by one authorization decision. Everything
 * issued from it (code, access tokens, the refresh token family) points back here, so
 * revoking the grant revokes all of it at once.
 */
export interface AuthorizationRecord {
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
   * revokes its derived ones too (store/repos/grants.ts), so delegation never outlives
   * what it was delegated from. Absent on grants made by an authorization decision.
   */
  parentGrantId?: string | null;
  /** The RFC 8693 `act` claim (JSON) every access token of this grant carries. */
  act?: string | null;
}

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
  grant: AuthorizationRecord | null;
}

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
}

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

/**
 * What was revoked: a grant (everything issued from it), one access token by its `jti`
 * (JWT or opaque), or every token of a client issued before `notBefore`.
 */
export type RevocationKind = 'grant' | 'token' | 'client';

/**
 * One revocation, written before the state it describes changes (so a crash in between
 * errs towards "revoked"). It is the feed every process's in-memory revocation view is
 * built from: loaded per tenant on first use, then polled by `at` across tenants (no
 * change streams on FerretDB), swept once `expiresAt` has passed (no TTL indexes).
 */
export interface RevocationRecord {
  /** `{tenantId}|{kind}|{key}`: one record per revoked thing, so a repeat is a no-op. */
  _id: string;
  tenantId: string;
  kind: RevocationKind;
  /** Grant id, token jti, or client id. */
  key: string;
  /** For `client`: tokens issued before this instant (ms since the epoch) are revoked. */
  notBefore: number | null;
  /** When it was recorded (the feed's order). */
  at: Date;
  /** After this nothing it revokes can still be valid, so the record no longer matters. */
  expiresAt: Date;
}
