import type { TenantStore } from '../index.js';
import { interactionModel } from '../models/interaction.js';
import type { InteractionRecord } from '../../interactions/interaction-record.js';

/** Pending authorization interactions; expiry is enforced in every query. */
export const interactionsRepo = (ts: TenantStore) => {
  const model = interactionModel(ts.conn);
  const live = (id: string) => ts.scoped({ _id: id, expiresAt: { $gt: new Date() } });
  return {
    insert: async (record: Omit<InteractionRecord, 'tenantId'>): Promise<void> => {
      await model.collection.insertOne({ ...record, tenantId: ts.tenantId } as never);
    },
    find: (id: string): Promise<InteractionRecord | null> => model.findOne(live(id)).lean<InteractionRecord>().exec(),
    /** Applies `set` only while the interaction is still in `state` (atomic step of the flow). */
    transition: (id: string, state: InteractionRecord['state'], set: Partial<InteractionRecord>): Promise<InteractionRecord | null> =>
      model
        .findOneAndUpdate({ ...live(id), state }, { $set: set }, { returnDocument: 'after' })
        .lean<InteractionRecord>()
        .exec(),
    delete: async (id: string): Promise<void> => {
      await model.deleteOne(ts.scoped({ _id: id }));
    },
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lte: now } }));
    },
  };
};
