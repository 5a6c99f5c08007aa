import type { Connection } from 'mongoose';
import type { TenantStore } from '../index.js';
import { isDuplicateKey } from '../errors.js';
import { revocationModel } from '../models/revocation.js';
import type { RevocationKind, RevocationRecord } from '../../tokens/revocation-record.js';

export interface RevocationEntry {
  kind: RevocationKind;
  key: string;
  expiresAt: Date;
  /** `client` entries only: ms since the epoch. */
  notBefore?: number | null;
}

export type RevocationListener = (tenantId: string, entries: readonly RevocationEntry[]) => void;

/**
 * In-process subscribers per connection (= per Store): the process that revokes updates
 * its own revocation view at once, before the revoking call returns; other processes
 * learn it from the feed within their poll interval.
 */
const listeners = new WeakMap<Connection, Set<RevocationListener>>();

export function onRevocation(conn: Connection, listener: RevocationListener): () => void {
  let set = listeners.get(conn);
  if (!set) listeners.set(conn, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

function notify(conn: Connection, tenantId: string, entries: readonly RevocationEntry[]): void {
  for (const listener of listeners.get(conn) ?? []) listener(tenantId, entries);
}

/** A write error list made only of duplicate keys: concurrent upserts of the same record. */
function onlyDuplicates(err: unknown): boolean {
  if (isDuplicateKey(err)) return true;
  const writeErrors = (err as { writeErrors?: unknown[] } | null)?.writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every(isDuplicateKey);
}

/**
 * The revocation feed of one tenant. Every revocation in the store goes through
 * `record` (grants, access tokens, client-wide cut-offs) before the revoked state is
 * written, so the in-memory views never miss one.
 */
export const revocationsRepo = (ts: TenantStore) => {
  const model = revocationModel(ts.conn);
  return {
    record: async (entries: readonly RevocationEntry[], now = new Date()): Promise<void> => {
      if (entries.length === 0) return;
      const ops = entries.map((e) => {
        const filter = ts.scoped({ _id: `${ts.tenantId}|${e.kind}|${e.key}` });
        // A client cut-off moves forward with every revoke-all; a grant or token is revoked once.
        const update =
          e.kind === 'client'
            ? { $set: { kind: e.kind, key: e.key, notBefore: e.notBefore ?? now.getTime(), at: now, expiresAt: e.expiresAt } }
            : { $setOnInsert: { kind: e.kind, key: e.key, notBefore: null, at: now, expiresAt: e.expiresAt } };
        return { updateOne: { filter, update, upsert: true } };
      });
      try {
        await model.bulkWrite(ops as never, { ordered: false });
      } catch (err) {
        if (!onlyDuplicates(err)) throw err;
      }
      notify(ts.conn, ts.tenantId, entries);
    },
    /** Everything that still matters, to build a process's view of the tenant. */
    active: (now = new Date()): Promise<RevocationRecord[]> =>
      model
        .find(ts.scoped({ expiresAt: { $gt: now } }), { kind: 1, key: 1, notBefore: 1, expiresAt: 1 })
        .lean<RevocationRecord[]>()
        .exec(),
  };
};

/** The feed across tenants (platform level): what every process polls. */
export const revocationFeedRepo = (conn: Connection) => {
  const model = revocationModel(conn);
  return {
    since: (at: Date): Promise<RevocationRecord[]> =>
      model
        .find({ at: { $gt: at } }, { tenantId: 1, kind: 1, key: 1, notBefore: 1, expiresAt: 1 })
        .lean<RevocationRecord[]>()
        .exec(),
    sweep: async (now = new Date()): Promise<void> => {
      await model.deleteMany({ expiresAt: { $lt: now } });
    },
  };
};
