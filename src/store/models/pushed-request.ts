import { Schema, type Connection, type Model } from 'mongoose';
import type { PushedRequestRecord } from '../../pushed-requests/pushed-request-record.js';

const schema = new Schema<PushedRequestRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    clientId: { type: String, required: true },
    params: { type: String, required: true },
    resources: { type: [String], default: [] },
    signed: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, expiresAt: 1 });

export const pushedRequestModel = (conn: Connection): Model<PushedRequestRecord> =>
  conn.models.PushedRequest ?? conn.model<PushedRequestRecord>('PushedRequest', schema, 'pushed_requests');
