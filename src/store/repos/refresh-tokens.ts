import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { refreshTokenModel } from '../models/refresh-token.js';
import type { RefreshTokenRecord } from '../../tokens/refresh-token-record.js';
import { deleteExpiredInSteps } from '../sweep.js';

/** Spent refresh tokens, by keyed hash: a refresh token is sealed, only its spending is stored. */
export const refreshTokensRepo = (ts: TenantStore) => {
  const model = refreshTokenModel(ts.conn);
  return {
    /**
     * Records the token spent, atomically: of any number of concurrent exchanges of one
     * token exactly one insert succeeds (the unique `_id`); false for the others.
     */
    spend: async (record: Omit<RefreshTokenRecord, 'tenantId'>): Promise<boolean> => {
      try {
        await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** The spent record of a token, if it was spent. */
    findSpent: (hash: string): Promise<RefreshTokenRecord | null> =>
      model
        .findOne(ts.scoped({ _id: hash }))
        .lean<RefreshTokenRecord>()
        .exec(),
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = ts.clock.date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({ expiresAt: { $lt: now } })),
  };
};
