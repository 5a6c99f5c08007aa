import { Schema, type Connection, type Model } from 'mongoose';
import type { LogoutDeliveryRecord } from '../../events/logout-delivery-record.js';

const schema = new Schema<LogoutDeliveryRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    clientId: { type: String, required: true },
    uri: { type: String, required: true },
    token: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: null },
    lockedUntil: { type: Date, required: true },
    lastStatus: { type: Number, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ status: 1, nextAttemptAt: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const logoutDeliveryModel = (conn: Connection): Model<LogoutDeliveryRecord> =>
  conn.models.LogoutDelivery ?? conn.model<LogoutDeliveryRecord>('LogoutDelivery', schema, 'logout_deliveries');
