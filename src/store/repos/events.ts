import type { Connection } from 'mongoose';
import { extensionDefaults } from '../../config/defaults.js';
import type { TenantStore } from '../index.js';
import { onlyDuplicates } from '../errors.js';
import { eventModel } from '../models/event.js';
import { eventDeliveryModel } from '../models/event-delivery.js';
import type { EventRecord } from '../../events/event-record.js';
import { pageBy, type Page, type PageArgs } from '../paging.js';

export interface EventFilter {
  types?: readonly string[];
  userId?: string;
  clientId?: string;
  since?: Date;
}

/** The tenant's event log, newest first; expired events are invisible before they are swept. */
export const eventsRepo = (ts: TenantStore) => {
  const model = eventModel(ts.conn);
  return {
    list: (args: PageArgs, filter: EventFilter = {}, now = ts.clock.date()): Promise<Page<EventRecord>> => {
      const q: Record<string, unknown> = { expiresAt: { $gt: now } };
      if (filter.types?.length) q.type = filter.types.length === 1 ? filter.types[0] : { $in: [...filter.types] };
      if (filter.userId) q.userId = filter.userId;
      if (filter.clientId) q.clientId = filter.clientId;
      if (filter.since) q.at = { $gte: filter.since };
      return pageBy(model, ts.scoped(q), '_id', args, -1);
    },
    sweep: async (now = ts.clock.date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lte: now } }));
    },
  };
};

/** Writes events of any tenants together; every record carries its own tenantId. */
export const eventLogRepo = (conn: Connection) => {
  const model = eventModel(conn);
  return {
    /** Idempotent: events already written (a replay from the outbox journal) are skipped. */
    insertMany: async (records: readonly EventRecord[]): Promise<void> => {
      if (!records.length) return;
      try {
        await model.collection.insertMany(records as never[], { ordered: false });
      } catch (err) {
        if (!onlyDuplicates(err)) throw err;
      }
    },
    /**
     * Events and webhook deliveries past their retention, of every tenant, in one range
     * delete each: per tenant, 10,000 tenants made 20,000 deletes per interval, each a
     * scan on FerretDB (docs/token-services.md "Expiry and sweeping"). Reads nothing.
     * Both are bounded by `_id` too: an event's id starts with its time (store/ids.ts) and
     * a delivery's with its event's, and a record expires a fixed retention after that
     * time, so only ids older than the retention can have expired. The `_id` range is an
     * index range on MongoDB (no index starts with `expiresAt`) and on the development
     * FerretDB (devdb/ferretdb-patches.ts), where `expiresAt` alone made the delete decode
     * every event while holding the write lock — over 1.5 s at 10,000 tenants, so the
     * store's time budget failed the requests of that moment (docs/performance.md).
     */
    sweep: async (now: Date): Promise<void> => {
      await Promise.all([
        model.deleteMany({ _id: { $lt: idsBefore(now, extensionDefaults.eventRetentionDays) }, expiresAt: { $lte: now } }),
        eventDeliveryModel(conn).deleteMany({
          _id: { $lt: idsBefore(now, extensionDefaults.deliveryRetentionDays) },
          expiresAt: { $lte: now },
        }),
      ]);
    },
  };
};

/**
 * The time prefix of an id made at `now - days + 1 ms` (store/ids.ts `timeOrderedId`):
 * every id below it was made at or before `now - days`, so its record, kept `days`, has
 * expired by `now`. A record made under a shorter retention than today's waits until it
 * is older than today's (invisible meanwhile: every read asks for `expiresAt > now`).
 */
function idsBefore(now: Date, days: number): string {
  return (now.getTime() - days * 86_400_000 + 1).toString(36).padStart(10, '0');
}
