import type { TenantStore } from '../store/index.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Envelope } from './envelope.js';
import { algsOf } from './families.js';
import { KeyRing } from './key-ring.js';
import type { KeysetRecord } from './keyset-record.js';

/**
 * How far apart the clocks of replicas may be (the same allowance as the tenant cache's
 * poll window, tenancy/tenant-registry.ts): `updatedAt` is written by whichever replica
 * made the change.
 */
const CLOCK_SKEW_MS = 5_000;

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
    return this.peek(tenant) ?? this.loading.get(tenant) ?? this.build(tenant, tenant.store.keysets.get());
  }

  /**
   * For TenantRegistry.onLoad: reads a tenant's keyset at the same time as its record,
   * then builds the ring for the context from it, unless the record changed less than
   * CLOCK_SKEW_MS before the keyset read was sent. A key change writes the keyset and
   * then bumps the tenant's revision (and `updatedAt`), so a record last changed earlier
   * than that names no key change the keyset read could have missed; a recent one might
   * (the keyset read may have been answered before that change's keyset write), and its
   * keyset is read again, after the record, as before (docs/performance.md "Tenant loading").
   * A failed read is not kept: the request that needs the ring reads again.
   */
  prefetch(store: TenantStore, sentAt: number): (tenant: TenantContext) => void {
    const read = store.keysets.get();
    read.catch(() => undefined);
    return (tenant) => {
      if (this.peek(tenant) || this.loading.has(tenant)) return;
      const fresh = new Date(tenant.record.updatedAt).getTime() < sentAt - CLOCK_SKEW_MS;
      this.build(tenant, fresh ? read : tenant.store.keysets.get()).catch(() => undefined);
    };
  }

  private build(tenant: TenantContext, read: Promise<KeysetRecord | null>): Promise<KeyRing> {
    const pending = (async () => {
      const keyset = await read;
      if (!keyset) throw new Error(`tenant ${tenant.slug} has no keyset`);
      const built = new KeyRing(tenant.id, keyset.keys, this.envelope, tenant.clock.date(), algsOf(tenant.settings.keyFamilies));
      this.rings.set(tenant, built);
      return built;
    })().finally(() => this.loading.delete(tenant));
    this.loading.set(tenant, pending);
    return pending;
  }
}
