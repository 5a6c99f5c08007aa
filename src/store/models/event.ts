import { Schema, type Connection, type Model } from 'mongoose';
import type { EventRecord } from '../../events/event-record.js';

const schema = new Schema<EventRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    type: { type: String, required: true },
    at: { type: Date, required: true },
    userId: { type: String, default: null },
    clientId: { type: String, default: null },
    data: { type: String, default: '{}' },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, _id: -1 });
schema.index({ tenantId: 1, type: 1, _id: -1 });
schema.index({ tenantId: 1, userId: 1, _id: -1 });
schema.index({ tenantId: 1, clientId: 1, _id: -1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const eventModel = (conn: Connection): Model<EventRecord> => conn.models.Event ?? conn.model<EventRecord>('Event', schema, 'events');
