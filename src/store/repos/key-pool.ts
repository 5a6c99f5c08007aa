import type { Connection } from 'mongoose';
import { keyPoolModel } from '../models/key-pool.js';
import type { KeyPoolPairRecord } from '../../keys/key-pool-record.js';

/**
 * The key pool's pairs (platform level; see models/key-pool.ts). A pair is usable while it
 * is younger than `notBefore` allows and sealed under the current master key `mk`.
 */
type KeyFamily = KeyPoolPairRecord['family'];

export const keyPoolRepo = (conn: Connection) => {
  const model = keyPoolModel(conn);
  const usable = (notBefore: Date, mk: string) => ({ createdAt: { $gt: notBefore }, 'privateKey.mk': mk });
  return {
    insert: async (pair: KeyPoolPairRecord): Promise<void> => {
      await model.collection.insertOne(pair as never);
    },
    /** Ids of the usable pairs, oldest first (candidates for `take`; ids only, the key material is read by the winner of a take). */
    candidates: (notBefore: Date, mk: string): Promise<{ _id: string; family: KeyFamily }[]> =>
      model.find(usable(notBefore, mk), { family: 1 }).sort({ createdAt: 1 }).lean<{ _id: string; family: KeyFamily }[]>().exec(),
    /**
     * Takes one pair out of the pool: a findOneAndDelete by `_id`, which hands the document
     * to exactly one caller, across replicas too (MongoDB; on the development database the
     * serializing proxy, docs/databases.md). Null: someone else took it first (or it stopped being usable).
     */
    take: (id: string, notBefore: Date, mk: string): Promise<KeyPoolPairRecord | null> =>
      model
        .findOneAndDelete({ _id: id, ...usable(notBefore, mk) })
        .lean<KeyPoolPairRecord>()
        .exec(),
    /** Usable pairs per family. */
    counts: async (notBefore: Date, mk: string): Promise<Map<KeyFamily, number>> => {
      const docs = await model.find(usable(notBefore, mk), { family: 1 }).lean<{ family: KeyFamily }[]>().exec();
      const counts = new Map<KeyFamily, number>();
      for (const d of docs) counts.set(d.family, (counts.get(d.family) ?? 0) + 1);
      return counts;
    },
    /** Removes pairs no longer usable (too old, or sealed under a master key that is no longer the current one). */
    discardUnusable: async (notBefore: Date, mk: string): Promise<number> =>
      (await model.deleteMany({ $or: [{ createdAt: { $lte: notBefore } }, { 'privateKey.mk': { $ne: mk } }] })).deletedCount,
    /** Removes pairs of families beyond `keep` (the pool was made smaller): the newest go first. */
    trim: async (family: KeyFamily, keep: number): Promise<number> => {
      const extra = await model.find({ family }, { _id: 1 }).sort({ createdAt: -1 }).lean<{ _id: string }[]>().exec();
      const drop = extra.slice(0, Math.max(0, extra.length - keep)).map((d) => d._id);
      if (drop.length === 0) return 0;
      return (await model.deleteMany({ _id: { $in: drop } })).deletedCount;
    },
  };
};
