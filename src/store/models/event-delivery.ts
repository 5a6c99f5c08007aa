import { Schema, type Connection, type Model } from 'mongoose';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface DeliveryAttempt {
  at: Date;
  /** HTTP status of the receiver's answer; null when there was none (timeout, refused). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One event on its way to one event webhook: the exact body that is (re)sent, the
 * attempts made, and when the next one is due. PENDING rows survive a restart; any
 * replica's poller picks up the due ones (claimed atomically with `lockedUntil`).
 */
export interface EventDeliveryRecord {
  /** Time-ordered (store/ids.ts). */
  _id: string;
  tenantId: string;
  /** The tenant's slug when the event happened: the worker finds the tenant (and the webhook secret) by it. */
  tenantSlug: string;
  webhook: string;
  url: string;
  eventId: string;
  eventType: string;
  /** The JSON body, identical on every attempt. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  attemptLog: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  /** A worker holds the row until then (epoch 0 when free). */
  lockedUntil: Date;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
  expiresAt: Date;
}

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
