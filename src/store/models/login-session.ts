import { Schema, type Connection, type Model } from 'mongoose';
import type { LoginSessionRecord } from '../../sessions/login-session-record.js';

const schema = new Schema<LoginSessionRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    cookieHash: { type: String, required: true },
    userId: { type: String, required: true },
    sid: { type: String, required: true },
    authTime: { type: Date, required: true },
    amr: { type: [String], default: [] },
    acr: { type: String, default: null },
    clientIds: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, cookieHash: 1 }, { unique: true });
schema.index({ tenantId: 1, sid: 1 }, { unique: true });
schema.index({ tenantId: 1, userId: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const loginSessionModel = (conn: Connection): Model<LoginSessionRecord> =>
  conn.models.LoginSession ?? conn.model<LoginSessionRecord>('LoginSession', schema, 'sessions');
