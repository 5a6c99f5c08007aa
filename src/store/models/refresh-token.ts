import { Schema, type Connection, type Model } from 'mongoose';
import type { RefreshTokenRecord } from '../../tokens/refresh-token-record.js';

const schema = new Schema<RefreshTokenRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    grantId: { type: String, required: true },
    clientId: { type: String, required: true },
    scopes: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, grantId: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const refreshTokenModel = (conn: Connection): Model<RefreshTokenRecord> =>
  conn.models.RefreshToken ?? conn.model<RefreshTokenRecord>('RefreshToken', schema, 'refresh_tokens');
