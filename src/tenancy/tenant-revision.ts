import { NotFoundError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from './tenant-context.js';

// Its own module because keys/tenant-keys.ts and clients/clients.ts bump the revision while
// tenancy/tenants.ts uses the keys (alignTenantKeys): kept in tenants.ts it made an import cycle.
/** Bumps the revision after a change to something derived from the tenant (keys, clients). */
export async function touchTenant(rt: Runtime, tenantId: string): Promise<TenantContext> {
  const record = await rt.store.tenants.bumpRevision(tenantId);
  if (!record) throw new NotFoundError('tenant');
  const ctx = rt.tenants.install(record);
  await rt.tenants.publishChange(record);
  return ctx;
}
