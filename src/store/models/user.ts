import { Schema, type Connection, type Model } from 'mongoose';
import type { UserRecord } from '../../users/user-record.js';

const schema = new Schema<UserRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    passwordHash: { type: String, required: true },
    claims: { type: String, default: '{}' },
    email: String,
    disabled: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, usernameKey: 1 }, { unique: true });
schema.index({ tenantId: 1, email: 1 });

export const userModel = (conn: Connection): Model<UserRecord> => conn.models.User ?? conn.model<UserRecord>('User', schema, 'users');
