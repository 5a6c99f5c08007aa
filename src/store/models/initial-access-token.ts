import { Schema, type Connection, type Model } from 'mongoose';
import type { InitialAccessTokenRecord } from '../../clients/initial-access-token-record.js';

const schema = new Schema<InitialAccessTokenRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    singleUse: { type: Boolean, default: false },
    usedAt: { type: Date, default: null },
    uses: { type: Number, default: 0 },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, tokenHash: 1 }, { unique: true });

export const initialAccessTokenModel = (conn: Connection): Model<InitialAccessTokenRecord> =>
  conn.models.InitialAccessToken ?? conn.model<InitialAccessTokenRecord>('InitialAccessToken', schema, 'initial_access_tokens');
