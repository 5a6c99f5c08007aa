import type { TenantStore } from '../index.js';
import { loginSessionModel } from '../models/login-session.js';
import type { LoginSessionRecord } from '../../sessions/login-session-record.js';

/** Login sessions, found by the hash of their cookie value. */
export const loginSessionsRepo = (ts: TenantStore) => {
  const model = loginSessionModel(ts.conn);
  return {
    insert: async (record: Omit<LoginSessionRecord, 'tenantId'>): Promise<LoginSessionRecord> => {
      const doc = { ...record, tenantId: ts.tenantId };
      await model.collection.insertOne(doc as never);
      return doc;
    },
    findByCookieHash: (cookieHash: string): Promise<LoginSessionRecord | null> =>
      model
        .findOne(ts.scoped({ cookieHash, expiresAt: { $gt: new Date() } }))
        .lean<LoginSessionRecord>()
        .exec(),
    findBySid: (sid: string): Promise<LoginSessionRecord | null> =>
      model
        .findOne(ts.scoped({ sid, expiresAt: { $gt: new Date() } }))
        .lean<LoginSessionRecord>()
        .exec(),
    /** Remembers that `clientId` received tokens in this session (for logout). */
    addClient: async (id: string, clientId: string): Promise<void> => {
      await model.updateOne(ts.scoped({ _id: id }), { $addToSet: { clientIds: clientId } });
    },
    delete: async (id: string): Promise<void> => {
      await model.deleteOne(ts.scoped({ _id: id }));
    },
    /** Deletes the session; true only for the one caller that removed it (logout notifies once). */
    end: async (id: string): Promise<boolean> => (await model.deleteOne(ts.scoped({ _id: id }))).deletedCount === 1,
    deleteForUser: async (userId: string): Promise<void> => {
      await model.deleteMany(ts.scoped({ userId }));
    },
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lte: now } }));
    },
  };
};
