import { randomUUID as newId } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { loginAttemptModel, type LoginAttemptRecord } from '../models/login-attempt.js';

/** Failed-login counters per username (brute-force protection). */
export const loginAttemptsRepo = (ts: TenantStore) => {
  const model = loginAttemptModel(ts.conn);
  const incOnce = (usernameKey: string, now: Date, restart: boolean) =>
    model
      .findOneAndUpdate(
        ts.scoped({ usernameKey }),
        restart
          ? { $set: { failures: 1, lastFailureAt: now, lockedUntil: null }, $setOnInsert: { _id: newId() } }
          : { $inc: { failures: 1 }, $set: { lastFailureAt: now }, $setOnInsert: { _id: newId() } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<LoginAttemptRecord>()
      .exec();
  return {
    find: (usernameKey: string): Promise<LoginAttemptRecord | null> => model.findOne(ts.scoped({ usernameKey })).lean<LoginAttemptRecord>().exec(),
    /** Counts one failure atomically; `restart` starts a new count (the old one went stale). */
    recordFailure: async (usernameKey: string, now: Date, restart = false): Promise<LoginAttemptRecord> => {
      try {
        return (await incOnce(usernameKey, now, restart))!;
      } catch (err) {
        if (isDuplicateKey(err)) return (await incOnce(usernameKey, now, restart))!;
        throw err;
      }
    },
    lock: async (usernameKey: string, until: Date): Promise<void> => {
      await model.updateOne(ts.scoped({ usernameKey }), { $set: { lockedUntil: until } });
    },
    clear: async (usernameKey: string): Promise<void> => {
      await model.deleteOne(ts.scoped({ usernameKey }));
    },
    /** Drops counters untouched since `before` whose lock (if any) has ended. */
    sweep: async (before: Date, now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ lastFailureAt: { $lt: before }, $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }] }));
    },
  };
};
