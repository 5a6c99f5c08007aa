import { Schema, type Connection, type Model } from 'mongoose';
import type { KeyPoolPairRecord } from '../../keys/key-pool-record.js';

/**
 * Pre-generated key pairs (keys/key-pool.ts, docs/keys.md "Key pool"). Platform data in a
 * collection of its own, with no tenantId: tenant deletion (TenantStore.deleteAll) never
 * touches it and no tenant query can reach it; a claimed pair leaves it for good.
 */
const encrypted = new Schema({ mk: String, iv: String, tag: String, ct: String }, { _id: false });
const schema = new Schema<KeyPoolPairRecord>(
  {
    _id: { type: String, required: true },
    family: { type: String, required: true },
    createdAt: { type: Date, required: true },
    publicJwk: { type: String, required: true },
    privateKey: { type: encrypted, required: true },
  },
  { versionKey: false },
);
// Claims take the oldest pair of a family (created on MongoDB; FerretDB narrows `family` in SQL itself).
schema.index({ family: 1, createdAt: 1 });

export const keyPoolModel = (conn: Connection): Model<KeyPoolPairRecord> =>
  conn.models.KeyPoolPair ?? conn.model<KeyPoolPairRecord>('KeyPoolPair', schema, 'key_pool');
