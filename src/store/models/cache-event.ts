import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A note that a tenant changed, so other replicas drop their cached copy. Polled by
 * time (no change streams: FerretDB has none), swept after a minute.
 */
export interface CacheEventRecord {
  _id: string;
  /** Not `tenantId`: these are platform records, and tenant deletion must not erase its own notice. */
  tenant: string;
  slug: string;
  at: Date;
}

const schema = new Schema<CacheEventRecord>(
  {
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    slug: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ at: 1 });

export const cacheEventModel = (conn: Connection): Model<CacheEventRecord> =>
  conn.models.CacheEvent ?? conn.model<CacheEventRecord>('CacheEvent', schema, 'cache_events');
