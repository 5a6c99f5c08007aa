import { randomUUID } from 'node:crypto';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { dpopProofModel } from '../models/dpop-proof.js';

/** Indexes of the documents an unordered insertMany refused as duplicates; throws for any other refusal. */
function duplicateIndexes(err: unknown): Set<number> {
  const list = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const errors = (Array.isArray(list) ? list : list ? [list] : []) as {
    index?: unknown;
    code?: unknown;
    err?: { code?: unknown; index?: unknown };
  }[];
  if (!errors.length) throw err;
  const out = new Set<number>();
  for (const e of errors) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || typeof index !== 'number') throw err;
    out.add(index);
  }
  return out;
}

export const dpopProofsRepo = (ts: TenantStore) => {
  const model = dpopProofModel(ts.conn);
  return {
    /** Records a used proof; false when it was recorded before (a replay). */
    recordUse: async (key: string, expiresAt: Date): Promise<boolean> => {
      try {
        await model.collection.insertOne({ _id: randomUUID(), tenantId: ts.tenantId, key, expiresAt } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /**
     * Records several used proofs in one unordered insert: for each, false when it was
     * recorded before (the unique index on tenantId and key refused it), true when it is
     * new. Any other refusal throws for all of them.
     */
    recordUses: async (entries: readonly { key: string; expiresAt: Date }[]): Promise<boolean[]> => {
      const docs = entries.map((e) => ({ _id: randomUUID(), tenantId: ts.tenantId, key: e.key, expiresAt: e.expiresAt }));
      try {
        await model.collection.insertMany(docs as never[], { ordered: false });
        return docs.map(() => true);
      } catch (err) {
        const refused = isDuplicateKey(err) && docs.length === 1 ? new Set([0]) : duplicateIndexes(err);
        return docs.map((_, i) => !refused.has(i));
      }
    },
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany(ts.scoped({ expiresAt: { $lt: now } }));
    },
  };
};
