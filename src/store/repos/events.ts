import type { Connection } from 'mongoose';
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
     */
    sweep: async (now: Date): Promise<void> => {
      await Promise.all([
        model.deleteMany({ expiresAt: { $lte: now } }),
        eventDeliveryModel(conn).deleteMany({ expiresAt: { $lte: now } }),
      ]);
    },
  };
};
