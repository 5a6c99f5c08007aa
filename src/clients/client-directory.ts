import { LRUCache } from 'lru-cache';
import { limits } from '../config/defaults.js';
import type { ClientRecord } from './client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Client lookups for the protocol endpoints, cached per tenant context (a client change
 * bumps the tenant revision, so a new context starts with no cached clients). A disabled
 * client is not found: it cannot authenticate, authorize, or have its tokens accepted
 * anywhere (userinfo, introspection, the admin API), all through this one place.
 *
 * One cache for every tenant, keyed by the context's generation: lru-cache allocates its
 * arrays for `max` entries up front, so a cache per tenant cost about 40 KiB of memory
 * for each of 10,000 tenants before it held anything (docs/performance.md).
 */
export class ClientDirectory {
  private readonly cache = new LRUCache<string, { client: ClientRecord | null }>({ max: limits.clientCacheSize, ttl: 60_000 });
  private readonly generations = new WeakMap<TenantContext, number>();
  private nextGeneration = 0;

  async find(tenant: TenantContext, clientId: string): Promise<ClientRecord | null> {
    let generation = this.generations.get(tenant);
    if (generation === undefined) {
      generation = this.nextGeneration++;
      this.generations.set(tenant, generation);
    }
    const key = `${generation}|${clientId}`;
    const hit = this.cache.get(key);
    if (hit) return hit.client;
    const found = await tenant.store.clients.findByClientId(clientId);
    const client = found && !found.disabled ? found : null;
    this.cache.set(key, { client });
    return client;
  }
}
