import { Schema, type Connection, type Model } from 'mongoose';
import type { LoginAttemptRecord } from '../../sessions/login-attempt-record.js';

const schema = new Schema<LoginAttemptRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    usernameKey: { type: String, required: true },
    failures: { type: Number, required: true, default: 0 },
    lockedUntil: { type: Date, default: null },
    lastFailureAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, usernameKey: 1 }, { unique: true });
schema.index({ tenantId: 1, lastFailureAt: 1 });

export const loginAttemptModel = (conn: Connection): Model<LoginAttemptRecord> =>
  conn.models.LoginAttempt ?? conn.model<LoginAttemptRecord>('LoginAttempt', schema, 'login_attempts');
