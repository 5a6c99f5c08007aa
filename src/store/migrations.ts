import type { Connection } from 'mongoose';
import { clientDocId } from './doc-ids.js';
import { isDuplicateKey } from './errors.js';

/**
 * Brings a database written by an older version to the current `_id` scheme
 * (docs/architecture.md "How a tenant loads"). Run at every start by the process that
 * sets the database up (boot/open-runtime.ts), before it serves:
 *
 * - 'indexes' (before the indexes are created): the old unique index on clients'
 *   (tenantId, clientId) is dropped; the `_id` is the uniqueness rule now, and the
 *   re-keying below needs the old and the new document side by side for a moment.
 * - 'records': every tenant gets its slug link (tenant_slugs), every client the `_id`
 *   clientDocId(tenantId, clientId).
 *
 * Idempotent (a second run finds nothing to do), safe with several replicas at once
 * (they write the same values; a copy that exists already is a duplicate key, ignored),
 * and crash-safe (a client's old document is deleted only after its copy exists; a
 * crash in between leaves both, and the next start deletes the old one). Writes of an
 * older replica to an old-shape document while this runs are not carried over: upgrade
 * every replica before the first start of this version (docs/operations.md rules for
 * upgrades apply).
 */
export async function migrateStore(conn: Connection, phase: 'indexes' | 'records'): Promise<{ tenantSlugs: number; clients: number }> {
  const db = conn.db!;
  if (phase === 'indexes') {
    await dropUniqueClientIndex(conn);
    return { tenantSlugs: 0, clients: 0 };
  }
  // Projections keep the reads small; both collections are read once per start.
  const tenants = await db
    .collection<{ _id: string; slug: string }>('tenants')
    .find({}, { projection: { slug: 1 } })
    .toArray();
  const links = new Map(
    (await db.collection<{ _id: string; tenantId: string }>('tenant_slugs').find({}).toArray()).map((l) => [l._id, l.tenantId]),
  );
  let tenantSlugs = 0;
  for (const t of tenants) {
    // The tenant holding a slug is the truth (tenants' slug index is unique).
    if (links.get(t.slug) === t._id) continue;
    await db
      .collection<{ _id: string; tenantId: string }>('tenant_slugs')
      .updateOne({ _id: t.slug }, { $set: { tenantId: t._id } }, { upsert: true });
    tenantSlugs++;
  }
  const clients = db.collection<{ _id: string; tenantId: string; clientId: string }>('clients');
  let moved = 0;
  for (const c of await clients.find({}, { projection: { tenantId: 1, clientId: 1 } }).toArray()) {
    const id = clientDocId(c.tenantId, c.clientId);
    if (c._id === id) continue;
    const doc = await clients.findOne({ _id: c._id, tenantId: c.tenantId });
    if (!doc) continue;
    try {
      await clients.insertOne({ ...doc, _id: id });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await clients.deleteOne({ _id: c._id, tenantId: c.tenantId });
    moved++;
  }
  return { tenantSlugs, clients: moved };
}

async function dropUniqueClientIndex(conn: Connection): Promise<void> {
  const clients = conn.db!.collection('clients');
  let indexes: { name?: string; key: Record<string, unknown>; unique?: boolean }[];
  try {
    indexes = (await clients.listIndexes().toArray()) as typeof indexes;
  } catch {
    return; // no collection yet
  }
  for (const ix of indexes) {
    const keys = Object.keys(ix.key);
    if (ix.unique && ix.name && keys.length === 2 && keys[0] === 'tenantId' && keys[1] === 'clientId') await clients.dropIndex(ix.name);
  }
}
