import { randomUUID } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { dpopProofModel } from '../models/dpop-proof.js';

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
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lt: now } }));
    },
  };
};
