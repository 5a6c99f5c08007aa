import { Schema, type Connection, type Model } from 'mongoose';
import type { ResourceServerRecord } from '../../resources/resource-server-record.js';

const schema = new Schema<ResourceServerRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    identifier: { type: String, required: true },
    name: { type: String, required: true },
    scopes: { type: [String], default: [] },
    accessTokenFormat: { type: String, required: true },
    accessTokenTtl: { type: Number, default: null },
    allowedClients: { type: [String], default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, identifier: 1 }, { unique: true });

export const resourceServerModel = (conn: Connection): Model<ResourceServerRecord> =>
  conn.models.ResourceServer ?? conn.model<ResourceServerRecord>('ResourceServer', schema, 'resource_servers');
