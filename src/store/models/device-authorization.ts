import { Schema, type Connection, type Model } from 'mongoose';
import type { DeviceAuthorizationRecord } from '../../device-authorizations/device-authorization-record.js';

const schema = new Schema<DeviceAuthorizationRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userCodeHash: { type: String, required: true },
    clientId: { type: String, required: true },
    scopes: { type: [String], default: [] },
    resource: { type: [String], default: [] },
    status: { type: String, required: true },
    interval: { type: Number, required: true },
    nextPollAt: { type: Date, required: true },
    grantId: { type: String, default: null },
    userId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// A user code names one authorization per tenant while its record exists (a new one that collides is drawn again).
schema.index({ tenantId: 1, userCodeHash: 1 }, { unique: true });
schema.index({ tenantId: 1, expiresAt: 1 });

export const deviceAuthorizationModel = (conn: Connection): Model<DeviceAuthorizationRecord> =>
  conn.models.DeviceAuthorization ?? conn.model<DeviceAuthorizationRecord>('DeviceAuthorization', schema, 'device_authorizations');
