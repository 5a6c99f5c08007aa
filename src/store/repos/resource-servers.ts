import type { TenantStore } from '../index.js';
import { mapDuplicate } from '../errors.js';
import type { ResourceServerRecord } from '../../resources/resource-server-record.js';
import { resourceServerModel } from '../models/resource-server.js';
import { pageBy, type Page, type PageArgs } from '../paging.js';

/** A tenant's resource servers (src/resources/ owns the rules; this only stores them). */
export const resourceServersRepo = (ts: TenantStore) => {
  const model = resourceServerModel(ts.conn);
  return {
    /** Every resource server of the tenant, by identifier (a short list: the protocol endpoints cache it per tenant revision). */
    all: (limit: number): Promise<ResourceServerRecord[]> =>
      model.find(ts.scoped({})).sort({ identifier: 1 }).limit(limit).lean<ResourceServerRecord[]>().exec(),
    list: (args: PageArgs): Promise<Page<ResourceServerRecord>> => pageBy(model, ts.scoped({}), 'identifier', args),
    count: (): Promise<number> => model.countDocuments(ts.scoped({})).exec(),
    find: (identifier: string): Promise<ResourceServerRecord | null> =>
      model.findOne(ts.scoped({ identifier })).lean<ResourceServerRecord>().exec(),
    insert: (record: Omit<ResourceServerRecord, 'tenantId'>): Promise<ResourceServerRecord> =>
      mapDuplicate('resource_servers', async () => {
        const doc = { ...record, tenantId: ts.tenantId };
        await model.collection.insertOne(doc as never);
        return doc;
      }),
    update: (
      identifier: string,
      set: Partial<Omit<ResourceServerRecord, '_id' | 'tenantId' | 'identifier'>>,
    ): Promise<ResourceServerRecord | null> =>
      model
        .findOneAndUpdate(ts.scoped({ identifier }), { $set: { ...set, updatedAt: ts.clock.date() } }, { returnDocument: 'after' })
        .lean<ResourceServerRecord>()
        .exec(),
    delete: async (identifier: string): Promise<ResourceServerRecord | null> =>
      model.findOneAndDelete(ts.scoped({ identifier })).lean<ResourceServerRecord>().exec(),
  };
};
