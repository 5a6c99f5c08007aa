import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import type { DeviceAuthorizationRecord } from '../../device-authorizations/device-authorization-record.js';
import { deviceAuthorizationModel } from '../models/device-authorization.js';

/**
 * Device authorizations (RFC 8628). Every state change is one atomic update that only
 * matches the state it starts from, so concurrent polls, approvals and redemptions have
 * exactly one winner.
 */
export const deviceAuthorizationsRepo = (ts: TenantStore) => {
  const model = deviceAuthorizationModel(ts.conn);
  const update = (filter: Record<string, unknown>, set: Partial<DeviceAuthorizationRecord>) =>
    model.findOneAndUpdate(ts.scoped(filter), { $set: set }, { returnDocument: 'after' }).lean<DeviceAuthorizationRecord>().exec();
  return {
    /** False when the user code collides with one the tenant still holds (the caller draws another). */
    insert: async (record: Omit<DeviceAuthorizationRecord, 'tenantId'>): Promise<boolean> => {
      try {
        await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** By device code hash, expired or not: the token endpoint tells expired_token from unknown. */
    find: (id: string): Promise<DeviceAuthorizationRecord | null> =>
      model
        .findOne(ts.scoped({ _id: id }))
        .lean<DeviceAuthorizationRecord>()
        .exec(),
    /** The live, still undecided authorization a user code names. */
    findPendingByUserCode: (userCodeHash: string, now: Date): Promise<DeviceAuthorizationRecord | null> =>
      model
        .findOne(ts.scoped({ userCodeHash, status: 'pending' as const, expiresAt: { $gt: now } }))
        .lean<DeviceAuthorizationRecord>()
        .exec(),
    /** Takes the poll slot if the device waited long enough (null: it came too soon). */
    takePoll: (id: string, now: Date, next: Date): Promise<DeviceAuthorizationRecord | null> =>
      update({ _id: id, nextPollAt: { $lte: now } }, { nextPollAt: next }),
    /** slow_down: the interval grows by `by` seconds from `interval`, counted from now (RFC 8628 3.5). */
    slowDown: (id: string, interval: number, by: number, now: Date): Promise<DeviceAuthorizationRecord | null> =>
      update({ _id: id, interval }, { interval: interval + by, nextPollAt: new Date(now.getTime() + (interval + by) * 1000) }),
    /** The user's decision, once, while the authorization is pending and live. */
    decide: (
      id: string,
      now: Date,
      set: Pick<DeviceAuthorizationRecord, 'status' | 'grantId' | 'userId'>,
    ): Promise<DeviceAuthorizationRecord | null> => update({ _id: id, status: 'pending', expiresAt: { $gt: now } }, set),
    /** Single use: of concurrent redemptions of an approved authorization exactly one gets it. */
    consume: (id: string): Promise<DeviceAuthorizationRecord | null> => update({ _id: id, status: 'approved' }, { status: 'consumed' }),
    sweep: async (before: Date): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lt: before } }));
    },
  };
};
