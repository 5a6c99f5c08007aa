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
