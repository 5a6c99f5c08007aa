import { Schema, type Connection, type Model } from 'mongoose';
import type { ConsentRecord } from '../../users/consent-record.js';

const schema = new Schema<ConsentRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    clientId: { type: String, required: true },
    scopes: { type: [String], default: [] },
    claims: { type: String, default: '[]' },
    grantedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, userId: 1, clientId: 1 }, { unique: true });
schema.index({ tenantId: 1, clientId: 1 });

export const consentModel = (conn: Connection): Model<ConsentRecord> =>
  conn.models.Consent ?? conn.model<ConsentRecord>('Consent', schema, 'consents');
