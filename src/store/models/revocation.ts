import { Schema, type Connection, type Model } from 'mongoose';

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

const schema = new Schema<RevocationRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    kind: { type: String, required: true },
    key: { type: String, required: true },
    notBefore: { type: Number, default: null },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, expiresAt: 1 });
// The platform-wide poll of every process reads by time.
schema.index({ at: 1 });

export const revocationModel = (conn: Connection): Model<RevocationRecord> =>
  conn.models.Revocation ?? conn.model<RevocationRecord>('Revocation', schema, 'revocations');
