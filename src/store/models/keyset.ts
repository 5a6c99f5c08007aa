import { Schema, type Connection, type Model } from 'mongoose';
import type { SigningKeyRecord } from '../../keys/key-record.js';
import type { KeysetRecord } from '../../keys/keyset-record.js';

const encrypted = new Schema({ mk: String, iv: String, tag: String, ct: String }, { _id: false });
const key = new Schema<SigningKeyRecord>(
  {
    kid: { type: String, required: true },
    alg: { type: String, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    activatedAt: Date,
    retiredAt: Date,
    revokedAt: Date,
    removeAfter: Date,
    publicJwk: { type: String, required: true },
    privateKey: { type: encrypted, required: true },
  },
  { _id: false },
);
const schema = new Schema<KeysetRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    version: { type: Number, required: true },
    keys: { type: [key], default: [] },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1 }, { unique: true });

export const keysetModel = (conn: Connection): Model<KeysetRecord> =>
  conn.models.Keyset ?? conn.model<KeysetRecord>('Keyset', schema, 'keysets');
