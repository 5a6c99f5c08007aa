import type { TenantStore } from '../index.js';
import { insertOnce } from '../group-insert.js';
import { refreshTokenModel } from '../models/refresh-token.js';
import type { RefreshTokenRecord } from '../../tokens/refresh-token-record.js';
import { deleteExpiredInSteps } from '../sweep.js';

/** Spent refresh tokens, by keyed hash: a refresh token is sealed, only its spending is stored. */
export const refreshTokensRepo = (ts: TenantStore) => {
  const model = refreshTokenModel(ts.conn);
  return {
    /**
     * Records the token spent, atomically: of any number of concurrent exchanges of one
     * token exactly one insert succeeds (the unique `_id`); false for the others. Grouped
     * with the concurrent spends of other tokens into one unordered insert (store/group-insert.ts).
     */
    spend: (record: Omit<RefreshTokenRecord, 'tenantId'>): Promise<boolean> =>
      insertOnce(model.collection, { ...record, tenantId: ts.tenantId }),
    /** The spent record of a token, if it was spent. */
    findSpent: (hash: string): Promise<RefreshTokenRecord | null> =>
      model
        .findOne(ts.scoped({ _id: hash }))
        .lean<RefreshTokenRecord>()
        .exec(),
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = ts.clock.date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now),
  };
};
