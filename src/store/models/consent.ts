import { Schema, type Connection, type Model } from 'mongoose';

/** What a user allowed a client, until `expiresAt` (tenant setting consentTtl). */
export interface ConsentRecord {
  _id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  scopes: string[];
  /**
   * Names of individually requested claims (the `claims` parameter), serialized JSON:
   * claim names such as `https://example.com/roles` cannot be field names or safe keys.
   */
  claims: string;
  grantedAt: Date;
  expiresAt: Date;
}

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
