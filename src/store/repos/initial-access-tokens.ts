import type { TenantStore } from '../index.js';
import { initialAccessTokenModel } from '../models/initial-access-token.js';
import type { InitialAccessTokenRecord } from '../../clients/initial-access-token-record.js';
import { pageBy, type Page, type PageArgs } from '../paging.js';

export const initialAccessTokensRepo = (ts: TenantStore) => {
  const model = initialAccessTokenModel(ts.conn);
  return {
    insert: async (record: Omit<InitialAccessTokenRecord, 'tenantId'>): Promise<InitialAccessTokenRecord> => {
      const doc = { ...record, tenantId: ts.tenantId };
      await model.collection.insertOne(doc as never);
      return doc;
    },
    /**
     * Spends one use of a valid token (atomic: a single-use token authorizes exactly one
     * registration however many arrive at once). Null when unknown, expired, revoked or used up.
     */
    consume: (tokenHash: string, now = new Date()): Promise<InitialAccessTokenRecord | null> =>
      model
        .findOneAndUpdate(
          ts.scoped({ tokenHash, revokedAt: null, expiresAt: { $gt: now }, $or: [{ singleUse: false }, { usedAt: null }] }),
          { $set: { usedAt: now }, $inc: { uses: 1 } },
          { returnDocument: 'after' },
        )
        .lean<InitialAccessTokenRecord>()
        .exec(),
    /** Newest first. */
    list: (args: PageArgs): Promise<Page<InitialAccessTokenRecord>> => pageBy(model, ts.scoped({}), '_id', args, -1),
    findById: (id: string): Promise<InitialAccessTokenRecord | null> =>
      model
        .findOne(ts.scoped({ _id: id }))
        .lean<InitialAccessTokenRecord>()
        .exec(),
    revoke: (id: string, now = new Date()): Promise<InitialAccessTokenRecord | null> =>
      model
        .findOneAndUpdate(ts.scoped({ _id: id, revokedAt: null }), { $set: { revokedAt: now } }, { returnDocument: 'after' })
        .lean<InitialAccessTokenRecord>()
        .exec(),
  };
};
