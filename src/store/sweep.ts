import type { Model } from 'mongoose';

/*
 * Removing expired documents in small, bounded steps (docs/performance.md "Code exchange
 * and refresh", docs/token-services.md "Expiry and sweeping").
 *
 * A single `deleteMany({tenantId, expiresAt: {$lt: now}})` is one operation on MongoDB
 * (an index range), but FerretDB 1.24 answers every filter but `_id` and string equality
 * with a scan that decodes each of the tenant's documents, and a delete holds SQLite's write
 * lock for the whole scan. Even a read of "the expired ones" (`find` with the `expiresAt`
 * range and a limit) decodes every unexpired document when few have expired: measured 1.9 s
 * at 10,000 and 4.5 s at 30,000 spent refresh tokens (which live as long as their family,
 * 30 days by default), beyond the store's 1.5 s budget for one operation — the "sweeping
 * expired tokens failed: database unavailable: no answer within 1500 ms" seen during the
 * refresh row, which also opened the breaker for the requests beside it.
 *
 * So a sweep reads the tenant's documents oldest first (`_id` and `expiresAt` only, no range
 * filter: the tenant equality is all the database filters on, and a limit stops the read),
 * deletes the expired ones one by one by `_id` (each re-checks the expiry, so a document
 * changed meanwhile is kept), and reads on past the unexpired ones up to a bound per run.
 * A step costs the same at any collection size (30 ms for 100 documents of 30,000).
 * On MongoDB the hint walks the (tenantId, expiresAt) index, so "oldest" is "expiring
 * first"; FerretDB ignores it and returns insertion order, in which the records of a fixed
 * lifetime (codes, proofs, assertions, pushed requests) also expire first. Whatever is past
 * the bound waits for a later run; expiry itself is enforced by every query, so nothing
 * depends on how far a sweep got.
 */

/** Documents read per step. */
export const SWEEP_BATCH = 100;
/** Unexpired documents a run reads past, per collection: the bound on what one run reads. */
export const SWEEP_MAX_KEPT = 1_000;
/** Deletes per run and collection. */
export const SWEEP_MAX_DELETES = 1_000;

/** Overrides of the bounds above (tests). */
export interface SweepBounds {
  batch?: number;
  maxKept?: number;
  maxDeletes?: number;
}

const EXPIRY_INDEX = { tenantId: 1, expiresAt: 1 } as const;

/**
 * Deletes the documents of `scope` (the tenant's, `{tenantId}`) whose `expiresAt` is before
 * `now`, in bounded steps; returns how many. The model's collection must have the
 * (tenantId, expiresAt) index.
 */
export async function deleteExpiredInSteps<T>(
  model: Model<T>,
  scope: { tenantId: string },
  now: Date,
  o: SweepBounds = {},
): Promise<number> {
  const batch = o.batch ?? SWEEP_BATCH;
  const maxKept = o.maxKept ?? SWEEP_MAX_KEPT;
  const maxDeletes = o.maxDeletes ?? SWEEP_MAX_DELETES;
  const cutoff = now.getTime();
  let deleted = 0;
  // The unexpired documents at the head of the order: the next step reads past them.
  let kept = 0;
  while (kept < maxKept && deleted < maxDeletes) {
    const docs = await model
      .find(scope, { _id: 1, expiresAt: 1 })
      .hint(EXPIRY_INDEX)
      .skip(kept)
      .limit(batch)
      .lean<{ _id: string; expiresAt?: Date | null }[]>()
      .exec();
    for (const d of docs) {
      const expired = d.expiresAt != null && new Date(d.expiresAt).getTime() < cutoff;
      const res = expired ? await model.collection.deleteOne({ ...scope, _id: d._id, expiresAt: { $lt: now } } as never) : null;
      if (res?.deletedCount) deleted++;
      else kept++;
    }
    if (docs.length < batch) break;
  }
  return deleted;
}
