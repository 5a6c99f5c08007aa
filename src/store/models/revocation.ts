import { Schema, type Connection, type Model } from 'mongoose';
import type { RevocationRecord } from '../../tokens/revocation-record.js';

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
