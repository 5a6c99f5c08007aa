import type { TenantStore } from '../index.js';
import { authorizationModel } from '../models/authorization.js';
import type { AuthorizationRecord } from '../../tokens/authorization-record.js';
import { deleteExpiredInSteps } from '../sweep.js';

type Revocable = { _id: string; expiresAt: Date };

/**
 * Authorizations (tokens/token-records.ts), in the `grants` collection. EVERY revocation
 * goes through `revokeWhere`: it records the revocations in the feed first (each
 * process's in-memory revocation view reads it; an authorization marked revoked only in
 * this collection would stay valid in those views), then marks them, and follows
 * token-exchange derivation so a derived authorization dies with its parent.
 */
export const authorizationsRepo = (ts: TenantStore) => {
  const model = authorizationModel(ts.conn);
  const revocable = (filter: Record<string, unknown>) =>
    model
      .find(ts.scoped({ ...filter, revokedAt: null }), { _id: 1, expiresAt: 1 })
      .lean<Revocable[]>()
      .exec();

  /** Revokes the active grants matching `filter` and those derived from them; the directly matched ones are returned first. */
  const revokeWhere = async (filter: Record<string, unknown>, now: Date): Promise<{ direct: string[]; all: string[] }> => {
    const direct = await revocable(filter);
    const all = new Map(direct.map((g) => [g._id, g]));
    for (let frontier = direct.map((g) => g._id); frontier.length > 0;) {
      const derived = (await revocable({ parentGrantId: { $in: frontier } })).filter((g) => !all.has(g._id));
      for (const g of derived) all.set(g._id, g);
      frontier = derived.map((g) => g._id);
    }
    if (all.size === 0) return { direct: [], all: [] };
    await ts.revocations.record(
      [...all.values()].map((g) => ({ kind: 'grant' as const, key: g._id, expiresAt: new Date(g.expiresAt) })),
      now,
    );
    const ids = [...all.keys()];
    await model.updateMany(ts.scoped({ _id: { $in: ids }, revokedAt: null }), { $set: { revokedAt: now } });
    return { direct: direct.map((g) => g._id), all: ids };
  };

  return {
    insert: async (record: Omit<AuthorizationRecord, 'tenantId'>): Promise<AuthorizationRecord> => {
      const doc = { ...record, tenantId: ts.tenantId };
      await model.collection.insertOne(doc as never);
      return doc;
    },
    /** The grant if it is neither revoked nor expired. */
    findActive: (id: string, now = ts.clock.date()): Promise<AuthorizationRecord | null> =>
      model
        .findOne(ts.scoped({ _id: id, revokedAt: null, expiresAt: { $gt: now } }))
        .lean<AuthorizationRecord>()
        .exec(),
    /** An active grant made in login session `sid` for `clientId` (an ID token's session, for token exchange). */
    findActiveForSession: (sid: string, clientId: string, now = ts.clock.date()): Promise<AuthorizationRecord[]> =>
      model
        .find(ts.scoped({ sid, clientId, revokedAt: null, expiresAt: { $gt: now } }))
        .lean<AuthorizationRecord[]>()
        .exec(),
    /** Revokes the grant and so everything issued from it; true if it was active. */
    revoke: async (id: string, now = ts.clock.date()): Promise<boolean> => (await revokeWhere({ _id: id }, now)).direct.length === 1,
    /** Revokes these grants (and their derived ones); returns every id revoked. */
    revokeMany: async (ids: readonly string[], now = ts.clock.date()): Promise<string[]> =>
      ids.length ? (await revokeWhere({ _id: { $in: [...ids] } }, now)).all : [],
    revokeForUserAndClient: async (userId: string, clientId: string, now = ts.clock.date()): Promise<number> =>
      (await revokeWhere({ userId, clientId }, now)).direct.length,
    /**
     * Logout: revokes the user's grants made in session `sid`, except offline_access ones
     * (their refresh tokens are meant to outlive the login session).
     */
    revokeForSession: async (userId: string, sid: string, now = ts.clock.date()): Promise<number> =>
      (await revokeWhere({ userId, sid, offlineAccess: false }, now)).direct.length,
    /** Expired documents, in bounded steps (store/sweep.ts). */
    sweep: async (now = ts.clock.date()): Promise<number> => deleteExpiredInSteps(model, ts.scoped({}), now),
  };
};
