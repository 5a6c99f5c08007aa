import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Envelope } from './envelope.js';
import { algsOf } from './families.js';
import { KeyRing } from './key-ring.js';

/**
 * Key rings cached per tenant context: a new context (any tenant change) means a fresh
 * ring; a ring past its `validUntil` (a RETIRED key expired) is rebuilt from the same
 * records without a database read.
 */
export class KeyRings {
  private readonly rings = new WeakMap<TenantContext, KeyRing>();
  private readonly loading = new WeakMap<TenantContext, Promise<KeyRing>>();

  constructor(private readonly envelope: Envelope) {}

  /** Synchronous hot path: the ring if it is cached and current. */
  peek(tenant: TenantContext): KeyRing | undefined {
    const ring = this.rings.get(tenant);
    if (!ring) return undefined;
    if (tenant.clock.now() < ring.validUntil) return ring;
    const rebuilt = new KeyRing(tenant.id, ring.records, this.envelope, tenant.clock.date(), ring.algs);
    this.rings.set(tenant, rebuilt);
    return rebuilt;
  }

  async get(tenant: TenantContext): Promise<KeyRing> {
    const ring = this.peek(tenant);
    if (ring) return ring;
    let pending = this.loading.get(tenant);
    if (!pending) {
      pending = (async () => {
        const keyset = await tenant.store.keysets.get();
        if (!keyset) throw new Error(`tenant ${tenant.slug} has no keyset`);
        const built = new KeyRing(tenant.id, keyset.keys, this.envelope, tenant.clock.date(), algsOf(tenant.settings.keyFamilies));
        this.rings.set(tenant, built);
        return built;
      })().finally(() => this.loading.delete(tenant));
      this.loading.set(tenant, pending);
    }
    return pending;
  }
}
