import { randomUUID as newId } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { loginAttemptModel } from '../models/login-attempt.js';
import type { LoginAttemptRecord } from '../../sessions/login-attempt-record.js';

/** Login attempt counters per username or client (brute-force protection, sessions/login-throttle.ts). */
export const loginAttemptsRepo = (ts: TenantStore) => {
  const model = loginAttemptModel(ts.conn);
  const unlocked = (now: Date) => ({ $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] });
  const incUnlocked = (usernameKey: string, now: Date) =>
    model
      .findOneAndUpdate(
        ts.scoped({ usernameKey, ...unlocked(now) }),
        { $inc: { failures: 1 }, $set: { lastFailureAt: now }, $setOnInsert: { _id: newId() } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<LoginAttemptRecord>()
      .exec();
  return {
    /**
     * Counts one attempt atomically before its password is checked, unless the key is
     * locked (then null: the attempt is refused unevaluated). A count untouched since
     * `staleBefore` starts again at 1, by exactly one of concurrent callers.
     */
    reserve: async (usernameKey: string, now: Date, staleBefore: Date): Promise<LoginAttemptRecord | null> => {
      const restarted = await model
        .findOneAndUpdate(
          ts.scoped({ usernameKey, lastFailureAt: { $lt: staleBefore } }),
          { $set: { failures: 1, lastFailureAt: now, lockedUntil: null } },
          { returnDocument: 'after' },
        )
        .lean<LoginAttemptRecord>()
        .exec();
      if (restarted) return restarted;
      for (let i = 0; i < 2; i++) {
        try {
          return await incUnlocked(usernameKey, now);
        } catch (err) {
          // The upsert collides with the existing record when it is locked, or with a concurrent first insert: once more tells which.
          if (!isDuplicateKey(err)) throw err;
        }
      }
      return null;
    },
    /** Sets the lock if none is in force; true for the one caller that set it. */
    claimWindow: async (usernameKey: string, now: Date, until: Date): Promise<boolean> => {
      const r = await model.updateOne(ts.scoped({ usernameKey, ...unlocked(now) }), { $set: { lockedUntil: until } });
      return r.modifiedCount === 1;
    },
    /** Gives back one reserved attempt (a success, or an attempt that was not evaluated). */
    refund: async (usernameKey: string): Promise<void> => {
      await model.updateOne(ts.scoped({ usernameKey, failures: { $gt: 0 } }), { $inc: { failures: -1 } });
    },
    /** Deletes the counter only if it still stands at `failures` (nobody reserved since); true when deleted. */
    clearAt: async (usernameKey: string, failures: number): Promise<boolean> => {
      const r = await model.deleteOne(ts.scoped({ usernameKey, failures }));
      return r.deletedCount === 1;
    },
    find: (usernameKey: string): Promise<LoginAttemptRecord | null> =>
      model.findOne(ts.scoped({ usernameKey })).lean<LoginAttemptRecord>().exec(),
    /** Drops counters untouched since `before` whose lock (if any) has ended. */
    sweep: async (before: Date, now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ lastFailureAt: { $lt: before }, $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }] }));
    },
  };
};
