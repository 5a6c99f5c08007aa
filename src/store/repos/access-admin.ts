import type { TenantStore } from '../index.js';
import { accessTokenModel } from '../models/access-token.js';
import { consentModel } from '../models/consent.js';
import type { ConsentRecord } from '../../users/consent-record.js';
import { grantModel } from '../models/grant.js';
import { pageBy, type Page, type PageArgs } from '../paging.js';

/** Whose access: one user, one client, or one user at one client (at least one is given). */
export interface AccessFilter {
  userId?: string;
  clientId?: string;
}

function scopeOf(f: AccessFilter): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.userId) q.userId = f.userId;
  if (f.clientId) q.clientId = f.clientId;
  if (!q.userId && !q.clientId) throw new Error('an access filter needs a user or a client');
  return q;
}

/**
 * The admin's view of what users and clients hold (consents, grants, opaque access
 * tokens): listing and bulk revocation. Revoking a grant revokes everything issued from
 * it (codes, JWT and opaque access tokens, the refresh token family): the protocol side
 * checks the grant of every token it accepts.
 */
export const accessAdminRepo = (ts: TenantStore) => {
  const consents = consentModel(ts.conn);
  const grants = grantModel(ts.conn);
  const accessTokens = accessTokenModel(ts.conn);
  return {
    /** Unexpired consents, in a stable order (by id). */
    listConsents: (args: PageArgs, f: AccessFilter, now = new Date()): Promise<Page<ConsentRecord>> =>
      pageBy(consents, ts.scoped({ ...scopeOf(f), expiresAt: { $gt: now } }), '_id', args),
    deleteConsents: async (f: AccessFilter): Promise<number> => (await consents.deleteMany(ts.scoped(scopeOf(f)))).deletedCount,
    /** Revokes the active grants of the user and/or client (and grants derived from them); returns their ids. */
    revokeGrants: async (f: AccessFilter, now = new Date()): Promise<string[]> => {
      const filter = ts.scoped({ ...scopeOf(f), revokedAt: null });
      const ids = (await grants.find(filter, { _id: 1 }).lean<{ _id: string }[]>().exec()).map((g) => g._id);
      return ts.grants.revokeMany(ids, now);
    },
    /** Revokes unexpired opaque access tokens of these grants and/or of a client (client_credentials ones included). */
    revokeAccessTokens: async (f: { grantIds?: string[]; clientId?: string }, now = new Date()): Promise<number> => {
      const or: Record<string, unknown>[] = [];
      if (f.grantIds?.length) or.push({ grantId: { $in: f.grantIds } });
      if (f.clientId) or.push({ clientId: f.clientId });
      if (or.length === 0) return 0;
      const filter = ts.scoped({ $or: or, revokedAt: null, expiresAt: { $gt: now } });
      // Into the revocation feed first: the protocol side caches opaque token records.
      const found = await accessTokens.find(filter, { jti: 1, expiresAt: 1 }).lean<{ jti: string; expiresAt: Date }[]>().exec();
      await ts.revocations.record(
        found.map((t) => ({ kind: 'token' as const, key: t.jti, expiresAt: new Date(t.expiresAt) })),
        now,
      );
      const res = await accessTokens.updateMany(filter, { $set: { revokedAt: now } });
      return res.modifiedCount;
    },
  };
};
