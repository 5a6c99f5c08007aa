import { Schema, type Connection, type Model } from 'mongoose';
import type { AccessTokenRecord } from '../../tokens/access-token-record.js';

const schema = new Schema<AccessTokenRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    jti: { type: String, required: true },
    clientId: { type: String, required: true },
    sub: { type: String, required: true },
    grantId: { type: String, default: null },
    scopes: { type: [String], default: [] },
    audience: { type: [String], default: [] },
    authTime: { type: Number, default: null },
    acr: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    act: { type: String, default: null },
    jkt: { type: String, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, grantId: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const accessTokenModel = (conn: Connection): Model<AccessTokenRecord> =>
  conn.models.AccessToken ?? conn.model<AccessTokenRecord>('AccessToken', schema, 'access_tokens');
