import { LRUCache } from 'lru-cache';
import { limits } from '../config/defaults.js';
import type { ClientRecord } from './client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/** After this long a cached client is read again, in the background (see `find`). */
const REVALIDATE_MS = 60_000;

interface Entry {
  client: ClientRecord | null;
  readAt: number;
  rereading?: boolean;
}

interface Due {
  tenant: TenantContext;
  clientId: string;
  entry: Entry;
}

/**
 * Client lookups for the protocol endpoints, cached per tenant context (a client change
 * bumps the tenant revision, so a new context starts with no cached clients). A disabled
 * client is not found: it cannot authenticate, authorize, or have its tokens accepted
 * anywhere (userinfo, introspection, the admin API), all through this one place.
 *
 * One cache for every tenant, keyed by the context's generation: lru-cache allocates its
 * arrays for `max` entries up front, so a cache per tenant cost about 40 KiB of memory
 * for each of 10,000 tenants before it held anything (docs/performance.md).
 *
 * An entry older than REVALIDATE_MS is answered and read again in the background: the
 * re-read bounds how long a change whose revision bump was lost (a crash between the two
 * writes) can go unseen, without making a request wait for the database (a tenant used
 * once a minute would otherwise read its client on every request). The re-reads go one
 * at a time, at most `revalidationsPerSecond`: traffic spread over thousands of tenants
 * finds most of their clients due at once, and a re-read per request then halved the
 * token endpoint's rate on the development database (docs/performance.md "Tenant loading").
 */
export class ClientDirectory {
  private readonly cache = new LRUCache<string, Entry>({ max: limits.clientCacheSize });
  private readonly generations = new WeakMap<TenantContext, number>();
  private nextGeneration = 0;
  /** Entries waiting for their background re-read, oldest first. */
  private readonly due = new Map<string, Due>();
  private draining = false;
  private readonly spacingMs: number;

  constructor(revalidationsPerSecond = limits.clientRevalidationsPerSecond) {
    this.spacingMs = 1000 / revalidationsPerSecond;
  }

  async find(tenant: TenantContext, clientId: string): Promise<ClientRecord | null> {
    let generation = this.generations.get(tenant);
    if (generation === undefined) {
      generation = this.nextGeneration++;
      this.generations.set(tenant, generation);
    }
    const key = `${generation}|${clientId}`;
    const hit = this.cache.get(key);
    if (hit) {
      if (!hit.rereading && tenant.clock.now() - hit.readAt > REVALIDATE_MS) {
        hit.rereading = true;
        this.due.set(key, { tenant, clientId, entry: hit });
        this.drain();
      }
      return hit.client;
    }
    return this.read(tenant, key, clientId);
  }

  /** Background re-reads waiting their turn (tests). */
  get pendingRevalidations(): number {
    return this.due.size;
  }

  /** Re-reads the due entries one after the other, each starting at least `spacingMs` after the previous one started. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    const next = (): void => {
      for (const [key, due] of this.due) {
        this.due.delete(key);
        // Evicted or replaced meanwhile (a fresh read): nothing to re-read.
        if (this.cache.peek(key) !== due.entry) continue;
        const started = Date.now();
        void this.read(due.tenant, key, due.clientId)
          .catch(() => {
            // Read again when next asked for (the database may be away: no retry loop here).
            due.entry.rereading = false;
          })
          .finally(() => setTimeout(next, Math.max(0, this.spacingMs - (Date.now() - started))).unref());
        return;
      }
      this.draining = false;
    };
    next();
  }

  private async read(tenant: TenantContext, key: string, clientId: string): Promise<ClientRecord | null> {
    const readAt = tenant.clock.now();
    const found = await tenant.store.clients.findByClientId(clientId);
    const client = found && !found.disabled ? found : null;
    this.cache.set(key, { client, readAt });
    return client;
  }
}
