import type { Connection } from 'mongoose';
import { auditEventModel } from '../models/audit-event.js';
import type { AuditEventRecord, AuditOutcome } from '../../events/audit-event-record.js';
import { pageBy, type Page, type PageArgs } from '../paging.js';

export interface AuditEventFilter {
  /** Only events of these tenants (by id); undefined = every tenant and none. */
  tenantRefs?: readonly string[];
  /** Only events of a tenant by slug (a deleted tenant's trail). */
  tenantSlug?: string;
  operation?: string;
  actorClientId?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  since?: Date;
  until?: Date;
}

/** The audit trail: a platform collection (it outlives tenants), filtered by tenant ids when asked. */
export const auditEventsRepo = (conn: Connection) => {
  const model = auditEventModel(conn);
  return {
    insert: async (record: AuditEventRecord): Promise<void> => {
      await model.collection.insertOne(record as never);
    },
    /** Writes records by `_id`, replacing what is there (a PENDING record being completed, or a replay). */
    upsertMany: async (records: readonly AuditEventRecord[]): Promise<void> => {
      if (!records.length) return;
      await model.collection.bulkWrite(
        records.map((r) => ({ replaceOne: { filter: { _id: r._id }, replacement: r, upsert: true } })) as never[],
        { ordered: false },
      );
    },
    /** Newest first. */
    list: (args: PageArgs, filter: AuditEventFilter = {}): Promise<Page<AuditEventRecord>> => {
      const q: Record<string, unknown> = {};
      if (filter.tenantRefs) q.tenantRef = { $in: [...filter.tenantRefs] };
      if (filter.tenantSlug) q.tenantSlug = filter.tenantSlug;
      if (filter.operation) q.operation = filter.operation;
      if (filter.actorClientId) q.actorClientId = filter.actorClientId;
      if (filter.targetId) q.targetId = filter.targetId;
      if (filter.outcome) q.outcome = filter.outcome;
      if (filter.since || filter.until) {
        q.at = { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lt: filter.until } : {}) };
      }
      return pageBy(model, q, '_id', args, -1);
    },
  };
};
