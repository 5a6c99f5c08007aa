import type { Connection } from 'mongoose';
import type { TenantStore } from '../index.js';
import { onlyDuplicates } from '../errors.js';
import { eventModel } from '../models/event.js';
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
    list: (args: PageArgs, filter: EventFilter = {}, now = new Date()): Promise<Page<EventRecord>> => {
      const q: Record<string, unknown> = { expiresAt: { $gt: now } };
      if (filter.types?.length) q.type = filter.types.length === 1 ? filter.types[0] : { $in: [...filter.types] };
      if (filter.userId) q.userId = filter.userId;
      if (filter.clientId) q.clientId = filter.clientId;
      if (filter.since) q.at = { $gte: filter.since };
      return pageBy(model, ts.scoped(q), '_id', args, -1);
    },
    sweep: async (now = new Date()): Promise<void> => {
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
  };
};
