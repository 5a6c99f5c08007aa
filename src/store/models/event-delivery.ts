import { Schema, type Connection, type Model } from 'mongoose';
import type { DeliveryAttempt, EventDeliveryRecord } from '../../events/event-delivery-record.js';

const schema = new Schema<EventDeliveryRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    tenantSlug: { type: String, required: true },
    webhook: { type: String, required: true },
    url: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    payload: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    attemptLog: {
      type: [new Schema<DeliveryAttempt>({ at: Date, statusCode: Number, error: String, durationMs: Number }, { _id: false })],
      default: [],
    },
    nextAttemptAt: { type: Date, default: null },
    lockedUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deliveredAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, _id: -1 });
schema.index({ tenantId: 1, webhook: 1, _id: -1 });
schema.index({ status: 1, nextAttemptAt: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const eventDeliveryModel = (conn: Connection): Model<EventDeliveryRecord> =>
  conn.models.EventDelivery ?? conn.model<EventDeliveryRecord>('EventDelivery', schema, 'deliveries');
