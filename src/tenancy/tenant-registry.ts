import { LRUCache } from 'lru-cache';
import { limits } from '../config/defaults.js';
import type { Store, TenantStore } from '../store/index.js';
import type { TenantRecord } from './tenant-record.js';
import { makeTenantContext, type TenantContext } from './tenant-context.js';
import { PLATFORM_SCOPE, sweepExpired } from './sweeps.js';

const MISSING_TTL_MS = 2_000;

/** Started when a tenant's id is known on a miss (see `TenantRegistry.onLoad`); returns what to do once its context exists. */
export type LoadTask = (store: TenantStore, recordReadSentAt: number) => (tenant: TenantContext) => void;

/**
 * The in-process tenant cache. Hot paths ask `peek` (synchronous, no I/O); a miss loads
 * the tenant once however many requests wait for it. Changes made in this process are
 * installed at once (`install`); changes made by other replicas arrive through polled
 * cache events within `syncIntervalMs`.
 */
export class TenantRegistry {
  private readonly cache = new LRUCache<string, TenantContext>({ max: limits.tenantCacheSize });
  private readonly missing = new LRUCache<string, true>({ max: 10_000, ttl: MISSING_TTL_MS });
  private readonly loading = new Map<string, Promise<TenantContext | null>>();
  private timer: NodeJS.Timeout | undefined;
  private lastSync: Date;
  /** Cache events already applied (or published by this process), by id, with when they were seen. */
  private readonly seen = new Map<string, number>();
  private readonly syncTasks: (() => Promise<void>)[] = [];
  private readonly loadTasks: LoadTask[] = [];
  private syncing: Promise<void> | undefined;
  /** When the last fully successful poll started (ms): what this process knows is at least this recent. */
  private syncedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly publicUrl: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.lastSync = store.clock.date();
  }

  peek(slug: string): TenantContext | undefined {
    return this.cache.get(slug);
  }

  async get(slug: string): Promise<TenantContext | null> {
    const hit = this.cache.get(slug);
    if (hit) return hit;
    if (this.missing.has(slug)) return null;
    let pending = this.loading.get(slug);
    if (!pending) {
      pending = this.load(slug).finally(() => this.loading.delete(slug));
      this.loading.set(slug, pending);
    }
    return pending;
  }

  /** The slug link, then the record by `_id`; the load tasks start between the two (see `onLoad`). */
  private async load(slug: string): Promise<TenantContext | null> {
    const id = await this.store.tenants.idOfSlug(slug);
    // A link left by a deleted tenant, or one a newer creation has not yet overwritten, finds no record of that slug.
    const store = id ? this.store.forTenant(id) : undefined;
    const sentAt = this.store.clock.now();
    const then = store ? this.loadTasks.map((task) => task(store, sentAt)) : [];
    const record = id ? await this.store.tenants.findById(id) : null;
    if (!record || record.slug !== slug) {
      this.missing.set(slug, true);
      return null;
    }
    const ctx = this.install(record, store);
    for (const next of then) next(ctx);
    return ctx;
  }

  /**
   * Runs `task` whenever a tenant is loaded from the database on a miss, as soon as its id
   * is known (the slug link read), at the same time as its record is read: what nearly
   * every tenant needs next (its key ring) is read beside the record rather than after it.
   * `task` gets the tenant's store and when the record read was sent; what it returns is
   * called with the context once the record is read (not at all when there is none).
   */
  onLoad(task: LoadTask): void {
    this.loadTasks.push(task);
  }

  /** Installs a record this process just wrote (or read), unless a newer revision is already cached. */
  install(record: TenantRecord, store?: TenantStore): TenantContext {
    // A tenant still being created is served to its creator only, never from the cache.
    if (record.state === 'PENDING') return makeTenantContext(record, this.publicUrl, store ?? this.store.forTenant(record._id));
    const current = this.cache.get(record.slug);
    if (current && current.record._id === record._id && current.record.revision > record.revision) return current;
    const ctx = makeTenantContext(record, this.publicUrl, store ?? this.store.forTenant(record._id));
    this.cache.set(record.slug, ctx);
    this.missing.delete(record.slug);
    return ctx;
  }

  drop(slug: string): void {
    this.cache.delete(slug);
    this.missing.delete(slug);
  }

  /** Tells other replicas (and, harmlessly, this one) that a tenant changed. */
  async publishChange(record: Pick<TenantRecord, '_id' | 'slug'>): Promise<void> {
    // Our own event: this process installed the change already, so its poll must not drop it.
    this.seen.set(await this.store.cacheEvents.publish(record._id, record.slug), this.store.clock.now());
  }

  /** Runs `task` on every sync, after the tenant changes: other per-process caches fed by polling ride on the same timer. */
  onSync(task: () => Promise<void>): void {
    this.syncTasks.push(task);
  }

  startSync(intervalMs: number): void {
    this.stopSync();
    this.timer = setInterval(() => void this.sync().catch(this.onError), intervalMs);
    this.timer.unref();
  }

  stopSync(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One poll: drop every tenant another replica changed, then run the sync tasks. One at
   * a time: a caller that asks while a poll runs shares it (the timer and `confirmFresh`).
   */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Overlaps the last window by 5 s for clock skew; the window moves only when a poll succeeded, so an outage skips nothing. */
  private async syncOnce(): Promise<void> {
    const started = this.store.clock.date();
    const from = new Date(this.lastSync.getTime() - 5_000);
    const events = await this.store.cacheEvents.since(from);
    this.lastSync = started;
    const now = this.store.clock.now();
    for (const [id, at] of this.seen) if (now - at > 30_000) this.seen.delete(id);
    for (const e of events) {
      // The polling window overlaps; each event is applied once.
      if (this.seen.has(e._id)) continue;
      this.seen.set(e._id, now);
      const cached = this.cache.get(e.slug);
      // Events older than our copy were already applied when we loaded it.
      if (!cached || new Date(cached.record.updatedAt).getTime() <= new Date(e.at).getTime()) this.drop(e.slug);
      else this.missing.delete(e.slug);
    }
    // Older than every poll window (each reaches 5 s before the previous poll).
    sweepExpired('cacheEvents', PLATFORM_SCOPE, () => this.store.cacheEvents.sweep(new Date(this.store.clock.now() - 60_000)));
    for (const task of this.syncTasks) await task();
    this.syncedAt = started.getTime();
  }

  /**
   * Whether this process knows every change (tenants, clients, revocations) made up to
   * `maxAgeMs` before this call: true at once if a poll that started since then succeeded;
   * otherwise waits for polls (joining one in flight, then starting one if that one
   * started too early) for at most `timeoutMs`. Callers that must not trust a stale view
   * (admin authentication) fail closed on false.
   */
  async confirmFresh(maxAgeMs: number, timeoutMs: number): Promise<boolean> {
    const asked = this.store.clock.now();
    const deadline = asked + timeoutMs;
    // A poll started after `asked` always qualifies, so this runs at most twice.
    while (this.syncedAt < asked - maxAgeMs) {
      const left = deadline - this.store.clock.now();
      if (left <= 0 || !(await this.syncWithin(left))) return false;
    }
    return true;
  }

  /** One poll (shared), if it succeeds within `ms`. The timer's polls log failures; waiting requests need not. */
  private async syncWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      const polled = this.sync().then(
        () => true,
        () => false,
      );
      return await Promise.race([polled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  get size(): number {
    return this.cache.size;
  }
}
