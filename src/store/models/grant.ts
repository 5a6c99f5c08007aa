import { Schema, type Connection, type Model } from 'mongoose';
import type { GrantRecord } from '../../tokens/grant-record.js';

const schema = new Schema<GrantRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    clientId: { type: String, required: true },
    sid: { type: String, required: true },
    scopes: { type: [String], default: [] },
    claims: { type: String, default: null },
    authTime: { type: Number, required: true },
    acr: { type: String, default: null },
    amr: { type: [String], default: [] },
    nonce: { type: String, default: null },
    resource: { type: [String], default: [] },
    offlineAccess: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    parentGrantId: { type: String, default: null },
    act: { type: String, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, userId: 1, clientId: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });
schema.index({ tenantId: 1, parentGrantId: 1 });

export const grantModel = (conn: Connection): Model<GrantRecord> => conn.models.Grant ?? conn.model<GrantRecord>('Grant', schema, 'grants');
