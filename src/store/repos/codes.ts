import type { TenantStore } from '../index.js';
import { authorizationCodeModel } from '../models/authorization-code.js';
import type { AuthorizationCodeRecord } from '../../tokens/authorization-code-record.js';
import { deleteExpiredInSteps, type SweepBounds } from '../sweep.js';
import { insertOnce } from '../group-insert.js';

export const codesRepo = (ts: TenantStore) => {
  const model = authorizationCodeModel(ts.conn);
  return {
    insert: async (record: Omit<AuthorizationCodeRecord, 'tenantId'>): Promise<void> => {
      await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
    },
    /**
     * Records a sealed code used (tokens/authorization-codes.ts): of any number of
     * concurrent redemptions exactly one insert succeeds (the unique `_id`); false for the
     * others. Grouped with concurrent redemptions into one unordered insert (store/group-insert.ts).
     */
    spend: (record: Omit<AuthorizationCodeRecord, 'tenantId'>): Promise<boolean> =>
      insertOnce(model.collection, { ...record, tenantId: ts.tenantId }),
    /**
     * Marks a stored code used, atomically: of any number of concurrent redemptions exactly
     * one gets the record back; the others get null.
     */
    consume: (hash: string, now = ts.clock.date()): Promise<AuthorizationCodeRecord | null> =>
      // The driver's call, not a mongoose query: the hot path of every code exchange, and
      // the filter and update need no casting.
      model.collection.findOneAndUpdate(
        ts.scoped({ _id: hash, usedAt: null }) as never,
        { $set: { usedAt: now } },
        {
          returnDocument: 'after',
        },
      ) as Promise<AuthorizationCodeRecord | null>,
    find: (hash: string): Promise<AuthorizationCodeRecord | null> =>
      model
        .findOne(ts.scoped({ _id: hash }))
        .lean<AuthorizationCodeRecord>()
        .exec(),
    /** Expired documents, in bounded steps (store/sweep.ts; `bounds` for tests). */
    sweep: async (now = ts.clock.date(), bounds?: SweepBounds): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now, bounds),
  };
};
