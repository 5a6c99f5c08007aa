import { LRUCache } from 'lru-cache';
import { limits } from '../config/defaults.js';

/**
 * "At most once per interval per tenant" for background chores started from request
 * paths (sweeping expired records): by time, not by request count, so a busy tenant
 * does not turn its traffic into that many range deletes. The first call for a tenant
 * only starts its clock, at a random point of the interval, so tenants loaded together
 * (a restart) do not all come due at once.
 */
export class TenantInterval {
  private readonly last = new LRUCache<string, number>({ max: limits.tenantCacheSize });

  constructor(private readonly everyMs: number) {}

  due(tenantId: string, now: number): boolean {
    const last = this.last.get(tenantId);
    if (last === undefined) {
      this.last.set(tenantId, now - Math.random() * this.everyMs);
      return false;
    }
    if (now - last < this.everyMs) return false;
    this.last.set(tenantId, now);
    return true;
  }
}
