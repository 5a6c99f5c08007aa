import type { TenantStore } from '../index.js';
import type { PushedRequestRecord } from '../../pushed-requests/pushed-request-record.js';
import { isDuplicateKey } from '../errors.js';
import { pushedRequestModel } from '../models/pushed-request.js';
import { deleteExpiredInSteps } from '../sweep.js';

export const pushedRequestsRepo = (ts: TenantStore) => {
  const model = pushedRequestModel(ts.conn);
  return {
    insert: async (record: Omit<PushedRequestRecord, 'tenantId'>): Promise<void> => {
      await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
    },
    /**
     * Records a sealed request_uri used (pushed-requests/index.ts), atomically: of any number
     * of concurrent uses exactly one insert succeeds (the unique `_id`); false for the others.
     */
    markUsed: async (record: Omit<PushedRequestRecord, 'tenantId'>): Promise<boolean> => {
      try {
        await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /**
     * Takes the request for its own client, atomically and once: of concurrent uses
     * exactly one gets the record; another client's attempt does not use it up.
     */
    consume: (hash: string, clientId: string, now: Date): Promise<PushedRequestRecord | null> =>
      model
        .findOneAndUpdate(
          ts.scoped({ _id: hash, clientId, usedAt: null, expiresAt: { $gt: now } }),
          { $set: { usedAt: now } },
          { returnDocument: 'after' },
        )
        .lean<PushedRequestRecord>()
        .exec(),
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = new Date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now),
  };
};
