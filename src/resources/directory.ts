import type { ResourceServerRecord } from './resource-server-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { MAX_RESOURCE_SERVERS } from './resource-server-input.js';

/**
 * The tenant's resource servers by identifier, read once per tenant revision and process
 * (a change bumps the revision: a new context starts without a cached list), so the
 * authorization and token endpoints look a `resource` up without a database round trip.
 * A failed read is not kept: the next request tries again.
 */
const cache = new WeakMap<TenantContext, Promise<ReadonlyMap<string, ResourceServerRecord>>>();

export function resourceServersOf(tenant: TenantContext): Promise<ReadonlyMap<string, ResourceServerRecord>> {
  let p = cache.get(tenant);
  if (!p) {
    p = tenant.store.resourceServers.all(MAX_RESOURCE_SERVERS).then((list) => new Map(list.map((r) => [r.identifier, r])));
    p.catch(() => cache.delete(tenant));
    cache.set(tenant, p);
  }
  return p;
}

/** Whether the client may ask for tokens for this resource server. */
export const mayRequest = (rs: ResourceServerRecord, clientId: string): boolean =>
  !rs.allowedClients || rs.allowedClients.includes(clientId);
