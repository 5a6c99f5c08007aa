import type { Model } from 'mongoose';

/*
 * Removing expired documents in small steps (docs/performance.md "Code exchange and
 * refresh", docs/token-services.md "Expiry and sweeping").
 *
 * A single `deleteMany({tenantId, expiresAt: {$lt: now}})` is one operation on MongoDB
 * (an index range), but FerretDB 1.24 answers every filter but `_id` with a scan, and a
 * delete holds SQLite's write lock for the whole scan: every insert and conditional update
 * of every request waited behind it (and behind the development database's serializing
 * proxy), long enough to trip the store's time budget and answer 503s. So a sweep reads
 * the ids of a bounded batch of expired documents (a read: no write lock, stops at the
 * limit) and deletes them one by one by `_id` (each a short write that requests interleave
 * with), up to a bounded number of batches per run; whatever is left waits for the next
 * run. Expiry itself is enforced by every query, so nothing depends on how far a sweep got.
 */

/** Ids read per step. */
export const SWEEP_BATCH = 100;
/** Steps per run and collection: at most SWEEP_BATCH × SWEEP_MAX_BATCHES deletes per run. */
export const SWEEP_MAX_BATCHES = 10;

/**
 * Deletes the documents matching `filter` (tenant-scoped by the caller, and re-checked on
 * each delete, so a document changed meanwhile is kept) in bounded steps; returns how many.
 */
export async function deleteExpiredInSteps<T>(
  model: Model<T>,
  filter: Record<string, unknown>,
  o: { batch?: number; maxBatches?: number } = {},
): Promise<number> {
  const batch = o.batch ?? SWEEP_BATCH;
  const maxBatches = o.maxBatches ?? SWEEP_MAX_BATCHES;
  let deleted = 0;
  for (let step = 0; step < maxBatches; step++) {
    const ids = (await model.find(filter, { _id: 1 }).limit(batch).lean<{ _id: string }[]>().exec()).map((d) => d._id);
    for (const _id of ids) {
      const res = await model.collection.deleteOne({ ...filter, _id } as never);
      deleted += res.deletedCount;
    }
    if (ids.length < batch) break;
  }
  return deleted;
}
