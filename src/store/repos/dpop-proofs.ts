import { randomUUID } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { dpopProofModel } from '../models/dpop-proof.js';
import { deleteExpiredInSteps } from '../sweep.js';

export const dpopProofsRepo = (ts: TenantStore) => {
  const model = dpopProofModel(ts.conn);
  return {
    /** Records a used proof; false when it was recorded before (a replay). */
    recordUse: async (key: string, expiresAt: Date): Promise<boolean> => {
      try {
        await model.collection.insertOne({ _id: randomUUID(), tenantId: ts.tenantId, key, expiresAt } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = new Date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({ expiresAt: { $lt: now } })),
  };
};
