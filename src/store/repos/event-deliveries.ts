import type { Connection } from 'mongoose';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { eventDeliveryModel } from '../models/event-delivery.js';
import type { DeliveryAttempt, DeliveryStatus, EventDeliveryRecord } from '../../events/event-delivery-record.js';
import { pageBy, type Page, type PageArgs } from '../paging.js';

export interface DeliveryFilter {
  webhook?: string;
  status?: DeliveryStatus;
  eventId?: string;
}

/** Deliveries of one tenant's events to its webhooks (events/event-delivery.ts). */
export const eventDeliveriesRepo = (ts: TenantStore) => {
  const model = eventDeliveryModel(ts.conn);
  return {
    /** Inserts unless a delivery with this id exists (a replayed event); null then. */
    insertOnce: async (record: Omit<EventDeliveryRecord, 'tenantId'>): Promise<EventDeliveryRecord | null> => {
      const doc = { ...record, tenantId: ts.tenantId };
      try {
        await model.collection.insertOne(doc as never);
        return doc;
      } catch (err) {
        if (isDuplicateKey(err)) return null;
        throw err;
      }
    },
    find: (id: string): Promise<EventDeliveryRecord | null> =>
      model
        .findOne(ts.scoped({ _id: id }))
        .lean<EventDeliveryRecord>()
        .exec(),
    /** Newest first. */
    list: (args: PageArgs, filter: DeliveryFilter = {}, now = new Date()): Promise<Page<EventDeliveryRecord>> => {
      const q: Record<string, unknown> = { expiresAt: { $gt: now } };
      if (filter.webhook) q.webhook = filter.webhook;
      if (filter.status) q.status = filter.status;
      if (filter.eventId) q.eventId = filter.eventId;
      return pageBy(model, ts.scoped(q), '_id', args, -1);
    },
    /**
     * Takes a pending delivery that is due and not held by another worker, for `leaseMs`;
     * null when it is not pending, not due, or someone else has it (atomic: exactly one
     * worker of all replicas gets it).
     */
    claim: (id: string, leaseMs: number, now = new Date()): Promise<EventDeliveryRecord | null> =>
      model
        .findOneAndUpdate(
          ts.scoped({ _id: id, status: 'PENDING', nextAttemptAt: { $lte: now }, lockedUntil: { $lte: now } }),
          { $set: { lockedUntil: new Date(now.getTime() + leaseMs) } },
          { returnDocument: 'after' },
        )
        .lean<EventDeliveryRecord>()
        .exec(),
    /** Records an attempt and what follows it: delivered, given up, or the next try. */
    recordAttempt: (
      id: string,
      attempt: DeliveryAttempt,
      next: { status: DeliveryStatus; nextAttemptAt: Date | null },
    ): Promise<EventDeliveryRecord | null> =>
      model
        .findOneAndUpdate(
          ts.scoped({ _id: id }),
          {
            $set: {
              status: next.status,
              nextAttemptAt: next.nextAttemptAt,
              lockedUntil: new Date(0),
              updatedAt: attempt.at,
              ...(next.status === 'DELIVERED' ? { deliveredAt: attempt.at } : {}),
            },
            $inc: { attempts: 1 },
            $push: { attemptLog: attempt },
          },
          { returnDocument: 'after' },
        )
        .lean<EventDeliveryRecord>()
        .exec(),
    /** Gives up on a delivery without an attempt (its webhook or tenant is gone). */
    abandon: async (id: string, reason: string, now = new Date()): Promise<void> => {
      await model.updateOne(ts.scoped({ _id: id, status: 'PENDING' }), {
        $set: { status: 'FAILED', nextAttemptAt: null, lockedUntil: new Date(0), updatedAt: now },
        $push: { attemptLog: { at: now, statusCode: null, error: reason, durationMs: 0 } },
      });
    },
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lte: now } }));
    },
  };
};

/**
 * Due deliveries of every tenant, for the worker that resumes them after a restart (a
 * platform-level read: it only names rows, each is then claimed through its tenant).
 */
export const deliveryQueueRepo = (conn: Connection) => {
  const model = eventDeliveryModel(conn);
  return {
    due: (limit: number, now = new Date()): Promise<Pick<EventDeliveryRecord, '_id' | 'tenantId'>[]> =>
      model
        .find({ status: 'PENDING', nextAttemptAt: { $lte: now }, lockedUntil: { $lte: now } }, { _id: 1, tenantId: 1 })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .lean<Pick<EventDeliveryRecord, '_id' | 'tenantId'>[]>()
        .exec(),
  };
};
