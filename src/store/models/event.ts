import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Something that happened in a tenant (a login, a consent, a token, a key rotation …),
 * kept for the tenant's event log and delivered to its event webhooks. Details that
 * carry user-supplied names (claim names, URLs) stay inside the JSON `data`.
 */
export interface EventRecord {
  /** Time-ordered (store/ids.ts): sorting by _id sorts by time. */
  _id: string;
  tenantId: string;
  type: string;
  at: Date;
  userId: string | null;
  clientId: string | null;
  /** JSON object with the event's details. */
  data: string;
  /** Past this the event is gone from queries and swept (config/defaults.ts eventDefaults). */
  expiresAt: Date;
}

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
