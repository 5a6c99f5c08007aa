import { randomUUID } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { clientAssertionModel } from '../models/client-assertion.js';
import { deleteExpiredInSteps } from '../sweep.js';

export const clientAssertionsRepo = (ts: TenantStore) => {
  const model = clientAssertionModel(ts.conn);
  return {
    /** Records a used assertion id; false when it was used before (a replay). */
    recordUse: async (clientId: string, jti: string, expiresAt: Date): Promise<boolean> => {
      try {
        await model.collection.insertOne({ _id: randomUUID(), tenantId: ts.tenantId, clientId, jti, expiresAt } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = ts.clock.date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now),
  };
};
