import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../errors.js';
import { leaseModel, type LeaseRecord } from '../models/lease.js';
import type { Clock } from '../../time/clock.js';

/** Named leases shared by all replicas (see models/lease.ts). */
export const leasesRepo = (conn: Connection, clock: Clock) => {
  const model = leaseModel(conn);
  return {
    /**
     * Takes the lease, or renews it if `holder` already has it; false while someone else
     * holds an unexpired one. One atomic upsert: when the lease is held by another, the
     * filter matches nothing and the upsert's insert collides on `_id`.
     */
    acquire: async (name: string, holder: string, ttlMs: number, now = clock.date()): Promise<boolean> => {
      try {
        await model
          .findOneAndUpdate(
            { _id: name, $or: [{ expiresAt: { $lte: now } }, { holder }] },
            { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) }, $setOnInsert: { acquiredAt: now } },
            { upsert: true, returnDocument: 'after' },
          )
          .lean<LeaseRecord>()
          .exec();
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** Gives the lease up early (only if still ours). */
    release: async (name: string, holder: string): Promise<void> => {
      await model.deleteOne({ _id: name, holder });
    },
    get: (name: string): Promise<LeaseRecord | null> => model.findById(name).lean<LeaseRecord>().exec(),
  };
};
