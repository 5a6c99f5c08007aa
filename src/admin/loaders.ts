import DataLoader from 'dataloader';
import type { Runtime } from '../services/runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/** Per-request loaders, keyed by tenant and id. */
export interface Loaders {
  tenantBySlug: DataLoader<string, TenantContext | null>;
}

export function createLoaders(rt: Runtime): Loaders {
  return {
    // The registry already answers from memory; the loader only collapses concurrent misses.
    tenantBySlug: new DataLoader(async (slugs) => Promise.all(slugs.map((s) => rt.tenants.get(s)))),
  };
}
