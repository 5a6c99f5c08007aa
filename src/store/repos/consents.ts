import { randomUUID as newId } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { consentModel } from '../models/consent.js';
import type { ConsentRecord } from '../../users/consent-record.js';

/** Consent per user and client (unique), valid until `expiresAt`. */
export const consentsRepo = (ts: TenantStore) => {
  const model = consentModel(ts.conn);
  const upsertOnce = (userId: string, clientId: string, set: Pick<ConsentRecord, 'scopes' | 'claims' | 'grantedAt' | 'expiresAt'>) =>
    model
      .findOneAndUpdate(
        ts.scoped({ userId, clientId }),
        { $set: set, $setOnInsert: { _id: newId() } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<ConsentRecord>()
      .exec();
  return {
    find: (userId: string, clientId: string): Promise<ConsentRecord | null> =>
      model
        .findOne(ts.scoped({ userId, clientId, expiresAt: { $gt: new Date() } }))
        .lean<ConsentRecord>()
        .exec(),
    /** Replaces the user's consent for the client (callers merge what should be kept). */
    save: async (
      userId: string,
      clientId: string,
      set: Pick<ConsentRecord, 'scopes' | 'claims' | 'grantedAt' | 'expiresAt'>,
    ): Promise<ConsentRecord> => {
      try {
        return (await upsertOnce(userId, clientId, set))!;
      } catch (err) {
        // Two parallel first consents: the loser's insert hits the unique index; the row exists now.
        if (isDuplicateKey(err)) return (await upsertOnce(userId, clientId, set))!;
        throw err;
      }
    },
    revoke: async (userId: string, clientId: string): Promise<boolean> =>
      (await model.deleteOne(ts.scoped({ userId, clientId }))).deletedCount === 1,
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lte: now } }));
    },
    listForUser: (userId: string): Promise<ConsentRecord[]> =>
      model
        .find(ts.scoped({ userId, expiresAt: { $gt: new Date() } }))
        .lean<ConsentRecord[]>()
        .exec(),
  };
};
