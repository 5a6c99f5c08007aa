import { randomUUID } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { dpopProofModel } from '../models/dpop-proof.js';
import { insertOnce } from '../group-insert.js';
import { deleteExpiredInSteps } from '../sweep.js';

export const dpopProofsRepo = (ts: TenantStore) => {
  const model = dpopProofModel(ts.conn);
  return {
    /**
     * Records a used proof; false when it was recorded before (a replay: the unique index
     * on tenantId and key refused it). Concurrent records go together in one unordered
     * insert, each judged on its own (store/group-insert.ts).
     */
    recordUse: (key: string, expiresAt: Date): Promise<boolean> =>
      insertOnce(model.collection, { _id: randomUUID(), tenantId: ts.tenantId, key, expiresAt }),
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = new Date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now),
  };
};
