import { checkOutboundUrl, OutboundError } from '../outbound/index.js';
import type { TenantRecord } from './tenant-record.js';
import type { TenantContext } from './tenant-context.js';
import { NotFoundError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';

/** The small lists kept on the tenant record and read from the cached tenant context. */
export type TenantListField = 'scopes' | 'claimResolvers' | 'hooks' | 'eventWebhooks';
export type TenantList<K extends TenantListField> = NonNullable<TenantRecord[K]>;

/**
 * Changes one list of the tenant record with an optimistic check on the tenant
 * revision, so two admins editing different entries at once both keep their change;
 * installs the new tenant context at once and tells the other replicas.
 */
export async function changeTenantList<K extends TenantListField>(
  rt: Runtime,
  tenant: TenantContext,
  field: K,
  change: (current: TenantList<K>) => TenantList<K>,
): Promise<{ tenant: TenantContext; before: TenantList<K> }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current: TenantRecord | null = attempt === 0 ? tenant.record : await rt.store.tenants.findById(tenant.id);
    if (!current) throw new NotFoundError(`tenant ${tenant.slug}`);
    const before = (current[field] ?? []) as TenantList<K>;
    const record = await rt.store.tenants.update(tenant.id, { [field]: change(before) }, current.revision);
    if (record) {
      const ctx = rt.tenants.install(record);
      await rt.tenants.publishChange(record);
      return { tenant: ctx, before };
    }
  }
  throw new Error('the tenant kept changing concurrently; try again');
}

/**
 * URLs Gatehouse calls on a tenant's behalf (claim and hook webhooks, event webhooks):
 * the outbound policy's configuration-time check (https, no internal address literal;
 * src/outbound/), and no fragment. Returns the problem, or null.
 */
export function checkWebhookUrl(value: string, purpose = 'webhook'): string | null {
  try {
    const url = checkOutboundUrl(value, purpose);
    return url.hash ? 'must not have a fragment' : null;
  } catch (err) {
    if (err instanceof OutboundError) return err.message;
    throw err;
  }
}
