import { LRUCache } from 'lru-cache';
import type { Store } from '../store/index.js';
import type { UserRecord } from './user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/** User records cached across tenants. */
const USER_CACHE = 50_000;

/**
 * User lookups for the token and userinfo endpoints, which read the same user on every
 * request of a session. A change made through this process's store (profile, password,
 * disabling, deletion) evicts the entry before the changing call returns; a change made
 * by another process is seen when the entry expires, after `ttlMs` (the tenant cache
 * sync interval, the bound that already applies to client and revocation changes).
 * Login and consent read the database directly: they are not hot and must see a
 * password change at once.
 */
export class UserDirectory {
  private readonly cache: LRUCache<string, { user: UserRecord | null }>;
  /** Bumped on every change seen here: a read that overlapped one is not cached. */
  private changes = 0;

  constructor(store: Store, ttlMs: number) {
    this.cache = new LRUCache({ max: USER_CACHE, ttl: Math.max(1, ttlMs) });
    store.onUserChange((tenantId, userId) => {
      this.changes++;
      this.cache.delete(`${tenantId}|${userId}`);
    });
  }

  async find(tenant: TenantContext, userId: string): Promise<UserRecord | null> {
    const key = `${tenant.id}|${userId}`;
    const hit = this.cache.get(key);
    if (hit) return hit.user;
    const before = this.changes;
    const user = await tenant.store.users.findById(userId);
    if (before === this.changes) this.cache.set(key, { user });
    return user;
  }
}
