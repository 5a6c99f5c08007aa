import { Schema, type Connection, type Model } from 'mongoose';
import type { DpopProofRecord } from '../../tokens/dpop-proof-record.js';

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
