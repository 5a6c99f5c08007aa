import type { TenantStore } from '../index.js';
import { grantModel, type GrantRecord } from '../models/grant.js';

export const grantsRepo = (ts: TenantStore) => {
  const model = grantModel(ts.conn);
  return {
    insert: async (record: Omit<GrantRecord, 'tenantId'>): Promise<GrantRecord> => {
      const doc = { ...record, tenantId: ts.tenantId };
      await model.collection.insertOne(doc as never);
      return doc;
    },
    /** The grant if it is neither revoked nor expired. */
    findActive: (id: string, now = new Date()): Promise<GrantRecord | null> =>
      model.findOne(ts.scoped({ _id: id, revokedAt: null, expiresAt: { $gt: now } })).lean<GrantRecord>().exec(),
    /** Revokes the grant and so everything issued from it; true if it was active. */
    revoke: async (id: string, now = new Date()): Promise<boolean> =>
      (await model.updateOne(ts.scoped({ _id: id, revokedAt: null }), { $set: { revokedAt: now } })).modifiedCount === 1,
    revokeForUserAndClient: async (userId: string, clientId: string, now = new Date()): Promise<number> =>
      (await model.updateMany(ts.scoped({ userId, clientId, revokedAt: null }), { $set: { revokedAt: now } })).modifiedCount,
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lt: now } }));
    },
  };
};
