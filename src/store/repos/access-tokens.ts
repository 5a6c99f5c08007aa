import type { TenantStore } from '../index.js';
import { accessTokenModel } from '../models/access-token.js';
import type { AccessTokenRecord } from '../../tokens/access-token-record.js';
import { deleteExpiredInSteps } from '../sweep.js';

export const accessTokensRepo = (ts: TenantStore) => {
  const model = accessTokenModel(ts.conn);
  return {
    insert: async (record: Omit<AccessTokenRecord, 'tenantId'>): Promise<void> => {
      await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
    },
    /** The token if it is neither revoked nor expired. */
    findActive: (hash: string, now = ts.clock.date()): Promise<AccessTokenRecord | null> =>
      model
        .findOne(ts.scoped({ _id: hash, revokedAt: null, expiresAt: { $gt: now } }))
        .lean<AccessTokenRecord>()
        .exec(),
    /** Revokes one token: recorded in the revocation feed by its jti first (the views cache token records). */
    revoke: async (hash: string, now = ts.clock.date()): Promise<boolean> => {
      const rec = await model
        .findOne(ts.scoped({ _id: hash, revokedAt: null }), { jti: 1, expiresAt: 1 })
        .lean<{ jti: string; expiresAt: Date }>()
        .exec();
      if (!rec) return false;
      await ts.revocations.record([{ kind: 'token', key: rec.jti, expiresAt: new Date(rec.expiresAt) }], now);
      return (await model.updateOne(ts.scoped({ _id: hash, revokedAt: null }), { $set: { revokedAt: now } })).modifiedCount === 1;
    },
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = ts.clock.date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now),
  };
};
