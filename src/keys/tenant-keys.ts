import type { SigningAlg } from '../config/defaults.js';
import { generateSigningKey } from './key-generation.js';
import type { SigningKeyRecord } from './key-record.js';
import { algsOf } from './families.js';
import { claimPooledKeys } from './key-pool.js';
import { alignKeys, revoke, rotate, UnknownKeyError, type KeyFactory } from './rotation.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { touchTenant } from '../tenancy/tenant-revision.js';
import type { Runtime } from '../runtime.js';

const factory =
  (rt: Runtime, tenantId: string): KeyFactory =>
  (alg: SigningAlg, status) =>
    generateSigningKey(rt.envelope, tenantId, alg, status, rt.clock.date());

/**
 * Keys of a new tenant: an ACTIVE and a NEXT key per algorithm of its key families, from
 * the key pool while it lasts (keys/key-pool.ts), generated where it has none. Rotations
 * and revocations generate theirs (no onboarding waits for them; the pool is kept for
 * onboardings).
 */
export async function newTenantKeys(rt: Runtime, tenantId: string, families: readonly string[]): Promise<SigningKeyRecord[]> {
  const wanted = algsOf(families).flatMap((alg) => [
    { alg, status: 'ACTIVE' as const },
    { alg, status: 'NEXT' as const },
  ]);
  const pooled = await claimPooledKeys(rt, tenantId, wanted);
  const fresh = factory(rt, tenantId);
  return Promise.all(wanted.map(async (w, i) => pooled[i] ?? (await fresh(w.alg, w.status))));
}

/** Tokens signed by a retired key stay verifiable this long (the longest JWT lifetime, plus skew). */
const retireFor = (tenant: TenantContext): number => Math.max(tenant.settings.accessTokenTtl, tenant.settings.idTokenTtl) + 60;

/** The new key list, or null when nothing needs to change. */
type KeyChange = (keys: SigningKeyRecord[]) => Promise<SigningKeyRecord[] | null>;

/** Optimistic compare-and-set on the tenant's keyset, retried if another writer won. */
async function changeKeys(rt: Runtime, tenant: TenantContext, change: KeyChange): Promise<TenantContext> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const keyset = await tenant.store.keysets.get();
    if (!keyset) throw new NotFoundError('keyset');
    const next = await change(keyset.keys);
    if (!next) return tenant;
    if (await tenant.store.keysets.compareAndSet(keyset.version, next)) return touchTenant(rt, tenant.id);
  }
  throw new Error('the keyset kept changing concurrently; try again');
}

export async function rotateTenantKeys(rt: Runtime, tenant: TenantContext): Promise<TenantContext> {
  const after = await changeKeys(rt, tenant, (keys) =>
    rotate(keys, factory(rt, tenant.id), tenant.clock.date(), retireFor(tenant), algsOf(tenant.settings.keyFamilies)),
  );
  rt.events.emit(after, { type: 'KEY_ROTATED', data: { signingAlg: after.settings.signingAlg } });
  return after;
}

/**
 * After a change of the tenant's key families: keys for added families, removed families'
 * keys REVOKED (keys/rotation.ts alignKeys). The key ring already publishes only the
 * tenant's families, so this only has to make the stored keys agree.
 */
export async function alignTenantKeys(rt: Runtime, tenant: TenantContext, families: readonly string[]): Promise<TenantContext> {
  return changeKeys(rt, tenant, (keys) => alignKeys(keys, algsOf(families), factory(rt, tenant.id), tenant.clock.date()));
}

export async function revokeTenantKey(rt: Runtime, tenant: TenantContext, kid: string): Promise<TenantContext> {
  try {
    const after = await changeKeys(rt, tenant, (keys) => revoke(keys, kid, factory(rt, tenant.id), tenant.clock.date()));
    rt.events.emit(after, { type: 'KEY_REVOKED', data: { kid } });
    return after;
  } catch (err) {
    if (err instanceof UnknownKeyError) throw new NotFoundError(`signing key ${kid}`);
    throw err;
  }
}
