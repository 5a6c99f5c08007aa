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
 * changed meanwhile is kept), up to a bound of records read per run. The read costs the
 * same at any collection size (30 ms for 100 records of 30,000, in proportion for more).
 * On MongoDB the hint walks the (tenantId, expiresAt) index, so "oldest" is "expiring
 * first"; FerretDB ignores it and returns insertion order, in which the records of a fixed
 * lifetime (codes, proofs, assertions, pushed requests) also expire first. Whatever is past
 * the bound waits for a later run; expiry itself is enforced by every query, so nothing
 * depends on how far a sweep got.
 */

/** Records read per read, in one `find`: the bound on what one read decodes. */
export const SWEEP_READ = 500;
/**
 * Reads per run and collection. A further read happens only when the one before was all
 * expired (a backlog: on MongoDB the index order puts the expired first), so a run removes
 * up to SWEEP_READ × SWEEP_MAX_READS records (2,000) while each read stays bounded.
 */
export const SWEEP_MAX_READS = 4;
/** Deletes per run and collection. */
export const SWEEP_MAX_DELETES = SWEEP_READ * SWEEP_MAX_READS;

/** Overrides of the bounds above (tests). */
export interface SweepBounds {
  maxRead?: number;
  maxReads?: number;
  maxDeletes?: number;
}

const EXPIRY_INDEX = { tenantId: 1, expiresAt: 1 } as const;

/**
 * Deletes the documents of `scope` (the tenant's, `{tenantId}`) whose `expiresAt` is before
 * `now`, among the first SWEEP_READ in the index's order (and the next, up to
 * SWEEP_MAX_READS reads, while each read was all expired); returns how many. The model's
 * collection must have the (tenantId, expiresAt) index.
 */
export async function deleteExpiredInSteps<T>(
  model: Model<T>,
  scope: { tenantId: string },
  now: Date,
  o: SweepBounds = {},
): Promise<number> {
  const maxDeletes = o.maxDeletes ?? SWEEP_MAX_DELETES;
  const limit = o.maxRead ?? SWEEP_READ;
  const cutoff = now.getTime();
  let deleted = 0;
  for (let read = 0; read < (o.maxReads ?? SWEEP_MAX_READS); read++) {
    // No skip: FerretDB decodes what a skip passes over. A further read starts from the
    // front again, where the records this one deleted are gone.
    const docs = await model
      .find(scope, { _id: 1, expiresAt: 1 })
      .hint(EXPIRY_INDEX)
      .limit(limit)
      .lean<{ _id: string; expiresAt?: Date | null }[]>()
      .exec();
    let expired = 0;
    for (const d of docs) {
      if (deleted >= maxDeletes) return deleted;
      if (d.expiresAt == null || new Date(d.expiresAt).getTime() >= cutoff) continue;
      expired++;
      // Each delete re-checks the expiry: a document changed meanwhile is kept.
      const res = await model.collection.deleteOne({ ...scope, _id: d._id, expiresAt: { $lt: now } } as never);
      deleted += res.deletedCount;
    }
    // Read again only after a full read of expired records (a backlog).
    if (docs.length < limit || expired < docs.length) break;
  }
  return deleted;
}
