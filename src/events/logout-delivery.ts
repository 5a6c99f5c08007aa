import type { Logger } from 'pino';
import { timeOrderedId } from '../store/ids.js';
import type { Store } from '../store/index.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export type LogoutOutcome = 'delivered' | 'retry' | 'refused';
/** One POST of a logout token (oidc/end-session/back-channel.ts owns the protocol rules). */
export type LogoutSender = (uri: string, token: string) => Promise<{ outcome: LogoutOutcome; status: number | null }>;

export interface LogoutQueueOptions {
  /** Waits before the 2nd, 3rd … attempt; after the last one the delivery is given up. */
  retryDelaysMs: readonly number[];
  /** How long one attempt may hold a row (the send's own timeout plus a margin). */
  leaseMs: number;
  /** How often due rows left by a stopped process (or another replica) are looked for. */
  pollMs: number;
}

/**
 * Back-channel logout deliveries with their retry schedule in the database
 * (models/logout-delivery.ts): a restart or a crash keeps them, and each attempt is made
 * by exactly one replica (claimed by an atomic update). The first attempt is made at once
 * by the process that ended the session; retries come from an in-process timer and,
 * failing that, from any replica's poller. Delivery is at least once: a crash between a
 * successful POST and its record means one more POST of the same token, which an RP
 * recognises by its `jti`.
 */
export class LogoutDeliveryQueue {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly work = new Set<Promise<unknown>>();
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly send: LogoutSender,
    private readonly opts: LogoutQueueOptions,
  ) {}

  /**
   * Stores the delivery (claimed by us) and makes the first attempt; resolves after it.
   * If the database cannot take the row, the attempts run from memory only (as before
   * this queue existed): the user's logout never waits for the database.
   */
  async enqueue(tenant: TenantContext, clientId: string, uri: string, token: string, expiresAt: Date): Promise<void> {
    const now = new Date();
    const id = timeOrderedId(now.getTime());
    try {
      await tenant.store.logoutDeliveries.insert({
        _id: id,
        clientId,
        uri,
        token,
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: new Date(now.getTime() + this.opts.leaseMs),
        lastStatus: null,
        createdAt: now,
        updatedAt: now,
        expiresAt,
      });
    } catch (err) {
      this.log.warn(
        { err, tenant: tenant.slug, clientId },
        'back-channel logout: the delivery could not be stored; retries are kept in memory only',
      );
      return this.inMemory(uri, token, 0);
    }
    await this.track(this.attempt(tenant.id, { _id: id, uri, token, attempts: 0, expiresAt }));
  }

  private async attempt(
    tenantId: string,
    row: { _id: string; uri: string; token: string; attempts: number; expiresAt: Date },
  ): Promise<void> {
    const ts = this.store.forTenant(tenantId);
    if (new Date(row.expiresAt).getTime() <= Date.now()) {
      await ts.logoutDeliveries.abandon(row._id);
      this.log.warn({ deliveryId: row._id }, 'back-channel logout not delivered: the token expired');
      return;
    }
    const { outcome, status } = await this.send(row.uri, row.token);
    const n = row.attempts + 1;
    if (outcome === 'retry' && n <= this.opts.retryDelaysMs.length) {
      const next = new Date(Date.now() + this.opts.retryDelaysMs[n - 1]!);
      await ts.logoutDeliveries.recordAttempt(row._id, { status: 'PENDING', httpStatus: status, nextAttemptAt: next });
      this.later(next.getTime() - Date.now(), () => this.resume(tenantId, row._id));
      return;
    }
    await ts.logoutDeliveries.recordAttempt(row._id, {
      status: outcome === 'delivered' ? 'DELIVERED' : 'FAILED',
      httpStatus: status,
      nextAttemptAt: null,
    });
    if (outcome === 'delivered') this.log.debug({ uri: row.uri, attempt: n, status }, 'back-channel logout delivered');
    else this.log.warn({ uri: row.uri, attempt: n, status }, 'back-channel logout not delivered');
  }

  /** A due attempt of a stored delivery, if this worker wins the claim. */
  private resume(tenantId: string, id: string): void {
    if (this.stopped) return;
    void this.track(
      (async () => {
        const row = await this.store.forTenant(tenantId).logoutDeliveries.claim(id, this.opts.leaseMs);
        if (row) await this.attempt(tenantId, row);
      })().catch((err: unknown) => this.log.warn({ err, deliveryId: id }, 'back-channel logout attempt failed')),
    );
  }

  /** The fallback when the database is away: attempts from timers, lost on restart. */
  private async inMemory(uri: string, token: string, n: number): Promise<void> {
    const { outcome } = await this.send(uri, token);
    if (outcome !== 'retry' || n >= this.opts.retryDelaysMs.length) return;
    this.later(this.opts.retryDelaysMs[n]!, () => void this.inMemory(uri, token, n + 1).catch(() => undefined));
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

  private track<T>(p: Promise<T>): Promise<T> {
    this.work.add(p);
    void p.finally(() => this.work.delete(p)).catch(() => undefined);
    return p;
  }

  /** Polls for due deliveries now and every pollMs (what a stopped process or another replica left). */
  start(): void {
    if (this.poller || this.stopped) return;
    const poll = () => {
      void this.track(
        this.store.logoutQueue
          .due(50)
          .then((rows) => rows.forEach((r) => this.resume(r.tenantId, r._id)))
          .catch((err: unknown) => this.log.warn({ err }, 'polling back-channel logout deliveries failed')),
      );
    };
    poll();
    this.poller = setInterval(poll, this.opts.pollMs);
    this.poller.unref();
  }

  /** Stops timers and the poller and waits for attempts in progress; pending rows stay in the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.work.size) await Promise.allSettled([...this.work]);
  }
}
