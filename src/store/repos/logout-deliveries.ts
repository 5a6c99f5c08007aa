import type { Connection } from 'mongoose';
import type { TenantStore } from '../index.js';
import { logoutDeliveryModel } from '../models/logout-delivery.js';
import type { LogoutDeliveryRecord, LogoutDeliveryStatus } from '../../events/logout-delivery-record.js';

/** Back-channel logout deliveries of one tenant (models/logout-delivery.ts). */
export const logoutDeliveriesRepo = (ts: TenantStore) => {
  const model = logoutDeliveryModel(ts.conn);
  return {
    insert: async (record: Omit<LogoutDeliveryRecord, 'tenantId'>): Promise<void> => {
      await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
    },
    find: (id: string): Promise<LogoutDeliveryRecord | null> =>
      model
        .findOne(ts.scoped({ _id: id }))
        .lean<LogoutDeliveryRecord>()
        .exec(),
    /** Takes a due, unheld PENDING delivery for `leaseMs` (atomic: one worker of all replicas gets it). */
    claim: (id: string, leaseMs: number, now = new Date()): Promise<LogoutDeliveryRecord | null> =>
      model
        .findOneAndUpdate(
          ts.scoped({ _id: id, status: 'PENDING', nextAttemptAt: { $lte: now }, lockedUntil: { $lte: now } }),
          { $set: { lockedUntil: new Date(now.getTime() + leaseMs) } },
          { returnDocument: 'after' },
        )
        .lean<LogoutDeliveryRecord>()
        .exec(),
    /** Records an attempt and what follows: delivered, given up, or the next try. */
    recordAttempt: async (
      id: string,
      outcome: { status: LogoutDeliveryStatus; httpStatus: number | null; nextAttemptAt: Date | null },
      now = new Date(),
    ): Promise<void> => {
      await model.updateOne(ts.scoped({ _id: id }), {
        $set: {
          status: outcome.status,
          nextAttemptAt: outcome.nextAttemptAt,
          lockedUntil: new Date(0),
          lastStatus: outcome.httpStatus,
          updatedAt: now,
        },
        $inc: { attempts: 1 },
      });
    },
    /** Gives up without an attempt (the token expired). */
    abandon: async (id: string, now = new Date()): Promise<void> => {
      await model.updateOne(ts.scoped({ _id: id, status: 'PENDING' }), {
        $set: { status: 'FAILED', nextAttemptAt: null, lockedUntil: new Date(0), updatedAt: now },
      });
    },
    /** Rows a day past their token's expiry go. */
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lte: new Date(now.getTime() - 24 * 3600_000) } }));
    },
  };
};

/** Due logout deliveries of every tenant (names rows only; each is claimed through its tenant). */
export const logoutQueueRepo = (conn: Connection) => {
  const model = logoutDeliveryModel(conn);
  return {
    due: (limit: number, now = new Date()): Promise<Pick<LogoutDeliveryRecord, '_id' | 'tenantId'>[]> =>
      model
        .find({ status: 'PENDING', nextAttemptAt: { $lte: now }, lockedUntil: { $lte: now } }, { _id: 1, tenantId: 1 })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .lean<Pick<LogoutDeliveryRecord, '_id' | 'tenantId'>[]>()
        .exec(),
  };
};
