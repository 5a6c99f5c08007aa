import type { TenantStore } from '../index.js';
import { refreshTokenModel, type RefreshTokenRecord } from '../models/refresh-token.js';

export const refreshTokensRepo = (ts: TenantStore) => {
  const model = refreshTokenModel(ts.conn);
  return {
    insert: async (record: Omit<RefreshTokenRecord, 'tenantId'>): Promise<void> => {
      await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
    },
    find: (hash: string): Promise<RefreshTokenRecord | null> => model.findOne(ts.scoped({ _id: hash })).lean<RefreshTokenRecord>().exec(),
    /** Marks the token rotated out, atomically: only one exchange of a token can win. */
    rotate: (hash: string, now = new Date()): Promise<RefreshTokenRecord | null> =>
      model
        .findOneAndUpdate(ts.scoped({ _id: hash, rotatedAt: null }), { $set: { rotatedAt: now } }, { returnDocument: 'after' })
        .lean<RefreshTokenRecord>()
        .exec(),
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lt: now } }));
    },
  };
};
