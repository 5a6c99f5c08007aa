import { Schema, type Connection, type Model } from 'mongoose';
import type { ClientAssertionRecord } from '../../clients/client-assertion-record.js';

const schema = new Schema<ClientAssertionRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    clientId: { type: String, required: true },
    jti: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, clientId: 1, jti: 1 }, { unique: true });
schema.index({ tenantId: 1, expiresAt: 1 });

export const clientAssertionModel = (conn: Connection): Model<ClientAssertionRecord> =>
  conn.models.ClientAssertion ?? conn.model<ClientAssertionRecord>('ClientAssertion', schema, 'client_assertions');
