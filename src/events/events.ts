import type { Logger } from 'pino';
import type { EventSink, TenantEvent } from './event-types.js';
import { extensionDefaults } from '../config/defaults.js';
import type { Envelope } from '../keys/envelope.js';
import type { Store } from '../store/index.js';
import { timeOrderedId } from '../store/ids.js';
import type { EventRecord } from './event-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { PLATFORM_SCOPE, sweepExpired } from '../tenancy/sweeps.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import { attemptDelivery, type DeliveryDeps, type DeliveryPolicy } from './event-delivery.js';
import type { Outbox, OutboxItem } from './outbox.js';

const DAY_MS = 24 * 3600 * 1000;
/** Events wait at most this long to be written together with others of their tenant. */
const BATCH_MS = 20;
const BATCH_MAX = 200;

interface Batch {
  tenant: TenantContext;
  /** `resolve` and `reject` only for `record` (emit has nobody waiting). */
  items: { rec: EventRecord; resolve?: (r: EventRecord) => void; reject?: (e: unknown) => void }[];
}

/** What a live (not replayed) event carries to the writer beside its journaled body: no revival needed. */
interface LiveEvent {
  ctx: TenantContext;
  rec: EventRecord;
}

/** The body every webhook receives for an event (signed: event-delivery.ts). */
export function eventPayload(tenant: TenantContext, e: EventRecord): string {
  return JSON.stringify({
    id: e._id,
    type: e.type,
    tenant: tenant.slug,
    at: e.at.toISOString(),
    userId: e.userId,
    clientId: e.clientId,
    data: JSON.parse(e.data) as unknown,
  });
}

/**
 * An event as journaled: its dates as milliseconds since the epoch (JSON.stringify takes
 * its fast path for an object without Dates: about 2 µs per event instead of 8 µs,
 * docs/performance.md "Token ids and the TOKEN_ISSUED event"), the tenant's slug added.
 */
function journalBody(rec: EventRecord, slug: string): Record<string, unknown> {
  return { ...rec, at: rec.at.getTime(), expiresAt: rec.expiresAt.getTime(), tenantSlug: slug };
}

/** A journaled event back to a record (dates as numbers, or as ISO strings in journals of earlier versions). */
function reviveEvent(body: Record<string, unknown>): EventRecord {
  const { tenantSlug: _slug, ...rest } = body as unknown as EventRecord & { tenantSlug?: string };
  return { ...rest, at: new Date(rest.at), expiresAt: new Date(rest.expiresAt) };
}

export interface EventBusOptions extends DeliveryPolicy {
  /** How often the queue is polled for due deliveries (restarts, other replicas' leftovers). */
  pollMs: number;
}

/**
 * Records a tenant's events and delivers them to its event webhooks.
 *
 * `emit` returns at once: the request that caused the event never waits for the
 * database or a receiver. Events go through the durable outbox (events/outbox.ts), so
 * an outage or a crash delays them but does not lose them. Each event is stored (the
 * tenant's event log), and one delivery row per subscribed webhook; the first attempt
 * is made straight away, retries with exponential back-off from in-process timers.
 * Delivery rows keep their state in the database, so a poller (start()) resumes what a
 * stopped process left, on any replica; a row is claimed atomically before each attempt.
 */
export class EventBus implements EventSink {
  private readonly work = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private poller: NodeJS.Timeout | undefined;
  private readonly batches = new Map<string, Batch>();
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly deps: DeliveryDeps;

  constructor(
    store: Store,
    envelope: Envelope,
    tenants: TenantRegistry,
    private readonly log: Logger,
    private readonly opts: EventBusOptions,
    private readonly outbox: Outbox,
  ) {
    this.deps = { store, envelope, tenants, log };
    outbox.register('event', this.writeEvents);
  }

  /** Records an event without waiting; the outbox keeps it until the database takes it (a full outbox logs the drop). */
  emit(tenant: TenantContext, event: TenantEvent): void {
    if (this.stopped) return;
    // No promise per event: nobody waits for it (a drop is counted and logged by the outbox).
    this.enqueue(tenant, this.toRecord(tenant, event));
  }

  /**
   * Stores the event and queues its deliveries (emit without waiting; tests and jobs may
   * await it: it resolves once the event is in the database, which during an outage is
   * when the database returns). Events are written in batches, at most BATCH_MS after the first one and
   * for all tenants together: a busy token endpoint costs one insert per batch, not one
   * per token, however many tenants it serves.
   */
  record(tenant: TenantContext, event: TenantEvent): Promise<EventRecord> {
    const rec = this.toRecord(tenant, event);
    return new Promise<EventRecord>((resolve, reject) => this.enqueue(tenant, rec, resolve, reject));
  }

  private toRecord(tenant: TenantContext, event: TenantEvent): EventRecord {
    const at = tenant.clock.date();
    return {
      _id: timeOrderedId(at.getTime()),
      tenantId: tenant.id,
      type: event.type,
      at,
      userId: event.userId ?? null,
      clientId: event.clientId ?? null,
      data: JSON.stringify(event.data ?? {}),
      expiresAt: new Date(at.getTime() + extensionDefaults.eventRetentionDays * DAY_MS),
    };
  }

  private enqueue(tenant: TenantContext, rec: EventRecord, resolve?: (r: EventRecord) => void, reject?: (e: unknown) => void): void {
    let batch = this.batches.get(tenant.id);
    if (!batch) {
      batch = { tenant, items: [] };
      this.batches.set(tenant.id, batch);
    }
    // The newest context: deliveries go to the webhooks configured now.
    batch.tenant = tenant;
    batch.items.push(resolve ? { rec, resolve, reject } : { rec });
    if (batch.items.length >= BATCH_MAX) this.flush(tenant.id);
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flushAll();
      }, BATCH_MS);
      this.flushTimer.unref();
    }
  }

  private flush(tenantId: string): void {
    const batch = this.batches.get(tenantId);
    if (!batch) return;
    this.batches.delete(tenantId);
    this.writeBatches([batch]);
  }

  private flushAll(): void {
    const batches = [...this.batches.values()];
    this.batches.clear();
    if (batches.length) this.writeBatches(batches);
  }

  /**
   * Hands the events of every tenant in `batches` to the outbox: journaled at once (one
   * append and fdatasync for the batch), then written — one insert for all of them, then
   * each tenant's deliveries — now or, if the database is away, when it returns.
   */
  private writeBatches(batches: Batch[]): void {
    const items: OutboxItem[] = [];
    for (const b of batches) {
      for (const i of b.items) {
        const item: OutboxItem = {
          kind: 'event',
          id: i.rec._id,
          body: journalBody(i.rec, b.tenant.slug),
          local: { ctx: b.tenant, rec: i.rec },
        };
        const { resolve, reject } = i;
        if (resolve) {
          item.onWritten = () => resolve(i.rec);
          item.onDropped = () => reject?.(new Error('the outbox is full: event dropped'));
        }
        items.push(item);
      }
    }
    this.track(this.outbox.submit(items));
  }

  /**
   * The outbox's writer for events (also for those replayed from a journal): idempotent,
   * events and deliveries have fixed ids, so a second write of the same batch only
   * collides harmlessly.
   */
  private readonly writeEvents = async (items: OutboxItem[]): Promise<void> => {
    // A live event has its record at hand; one replayed from a journal is revived from its body.
    const records = items.map((i) => (i.local as LiveEvent | undefined)?.rec ?? reviveEvent(i.body));
    await this.deps.store.eventLog.insertMany(records);
    const byTenant = new Map<string, { slug: string; ctx: TenantContext | undefined; records: EventRecord[] }>();
    items.forEach((item, n) => {
      const rec = records[n]!;
      let group = byTenant.get(rec.tenantId);
      if (!group)
        byTenant.set(
          rec.tenantId,
          (group = { slug: String(item.body.tenantSlug), ctx: (item.local as LiveEvent | undefined)?.ctx, records: [] }),
        );
      group.records.push(rec);
    });
    for (const [tenantId, group] of byTenant) {
      // Replayed events carry no context: the tenant as it is now (gone: no deliveries).
      const ctx = group.ctx ?? (await this.deps.tenants.get(group.slug));
      if (ctx && ctx.id === tenantId) await this.queueDeliveries(ctx, group.records);
    }
  };

  private async queueDeliveries(tenant: TenantContext, records: EventRecord[]): Promise<void> {
    const webhooks = (tenant.record.eventWebhooks ?? []).filter((w) => w.enabled);
    for (const rec of records) {
      const subscribers = webhooks.filter((w) => w.eventTypes.length === 0 || w.eventTypes.includes(rec.type));
      if (!subscribers.length) continue;
      const payload = eventPayload(tenant, rec);
      for (const w of subscribers) {
        // One delivery per event and webhook, whatever replays the event: the id says which.
        const inserted = await tenant.store.eventDeliveries.insertOnce({
          _id: `${rec._id}.${w.name}`,
          tenantSlug: tenant.slug,
          webhook: w.name,
          url: w.url,
          eventId: rec._id,
          eventType: rec.type,
          payload,
          status: 'PENDING',
          attempts: 0,
          attemptLog: [],
          nextAttemptAt: rec.at,
          lockedUntil: new Date(0),
          createdAt: rec.at,
          updatedAt: rec.at,
          deliveredAt: null,
          expiresAt: new Date(rec.at.getTime() + extensionDefaults.deliveryRetentionDays * DAY_MS),
        });
        if (inserted) this.deliver(tenant.id, inserted._id);
      }
    }
    // Platform-wide, like the other feeds: one range delete per interval and process, not one per tenant.
    sweepExpired(
      'events',
      PLATFORM_SCOPE,
      () => this.deps.store.eventLog.sweep(this.deps.store.clock.date()),
      (err) => this.log.warn({ err }, 'event sweep failed'),
    );
  }

  /** One attempt now; the next one, if any, from a timer. */
  private deliver(tenantId: string, deliveryId: string): void {
    if (this.stopped) return;
    this.track(
      attemptDelivery(this.deps, this.opts, tenantId, deliveryId)
        .then((next) => {
          if (next) this.later(next.getTime() - this.deps.store.clock.now(), () => this.deliver(tenantId, deliveryId));
        })
        .catch((err: unknown) => this.log.warn({ err, deliveryId }, 'event delivery attempt failed')),
    );
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, ms) + 5,
    );
    t.unref();
    this.timers.add(t);
  }

  private track(p: Promise<unknown>): void {
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  /** Polls for due deliveries now and then every pollMs (resumes what a restart left behind). */
  start(): void {
    if (this.poller) return;
    const poll = () => {
      if (this.stopped) return;
      this.track(
        this.deps.store.deliveryQueue
          .due(50)
          .then((rows) => rows.forEach((r) => this.deliver(r.tenantId, r._id)))
          .catch((err: unknown) => this.log.warn({ err }, 'polling event deliveries failed')),
      );
    };
    poll();
    this.poller = setInterval(poll, this.opts.pollMs);
    this.poller.unref();
  }

  /** Waits until nothing is being recorded or sent (scheduled retries are not waited for). */
  async idle(): Promise<void> {
    while (this.work.size) await Promise.allSettled([...this.work]);
  }

  /** Stops the poller and the retry timers and waits for work in progress; pending deliveries stay in the database. */
  async stop(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushAll();
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.idle();
  }
}
