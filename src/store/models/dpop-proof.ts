import { Schema, type Connection, type Model } from 'mongoose';

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

const schema = new Schema<DpopProofRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    key: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, key: 1 }, { unique: true });
schema.index({ tenantId: 1, expiresAt: 1 });

export const dpopProofModel = (conn: Connection): Model<DpopProofRecord> =>
  conn.models.DpopProof ?? conn.model<DpopProofRecord>('DpopProof', schema, 'dpop_proofs');
