import { LRUCache } from 'lru-cache';
import { limits } from '../config/defaults.js';
import type { ClientRecord } from './client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Client lookups for the protocol endpoints, cached per tenant context (a client change
 * bumps the tenant revision, so a new context starts with an empty cache). A disabled
 * client is not found: it cannot authenticate, authorize, or have its tokens accepted
 * anywhere (userinfo, introspection, the admin API), all through this one place.
 */
export class ClientDirectory {
  private readonly caches = new WeakMap<TenantContext, LRUCache<string, { client: ClientRecord | null }>>();

  async find(tenant: TenantContext, clientId: string): Promise<ClientRecord | null> {
    let cache = this.caches.get(tenant);
    if (!cache) {
      cache = new LRUCache({ max: limits.clientCacheSizePerTenant, ttl: 60_000 });
      this.caches.set(tenant, cache);
    }
    const hit = cache.get(clientId);
    if (hit) return hit.client;
    const found = await tenant.store.clients.findByClientId(clientId);
    const client = found && !found.disabled ? found : null;
    cache.set(clientId, { client });
    return client;
  }
}
