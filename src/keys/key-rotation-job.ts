import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { keysSnapshot, recordAudit, SYSTEM_ACTOR } from '../events/audit.js';
import { rotateTenantKeys } from './tenant-keys.js';
import type { Runtime } from '../runtime.js';

export const KEY_ROTATION_LEASE = 'key-rotation';
const DAY_MS = 24 * 3600 * 1000;

export interface KeyRotationJobOptions {
  /** How often a replica checks for tenants due (default 10 minutes). */
  intervalMs?: number;
  /** How long a lease holds without renewal; renewed before each tenant (default 5 minutes). */
  leaseMs?: number;
  /** This replica's name in the lease (default hostname:pid:random). */
  holder?: string;
}

export interface KeyRotationRun {
  /** False when another replica holds the lease: this one did nothing. */
  acquired: boolean;
  /** Slugs rotated in this run. */
  rotated: string[];
}

/**
 * Rotates the keys of every tenant whose `keyRotationDays` policy says it is due (its
 * ACTIVE key for the tenant's signing algorithm is that many days old). Every replica
 * runs the timer; a database lease makes sure only one of them rotates at a time.
 */
export class KeyRotationJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<KeyRotationRun> | undefined;
  private readonly holder: string;
  private readonly intervalMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly rt: Runtime,
    opts: KeyRotationJobOptions = {},
  ) {
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.intervalMs = opts.intervalMs ?? 10 * 60_000;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
  }

  start(): void {
    this.stopTimer();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer, waits for a run in progress and gives the lease back. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.running?.catch(() => undefined);
    await this.rt.store.leases.release(KEY_ROTATION_LEASE, this.holder).catch(() => undefined);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    try {
      await this.runOnce();
    } catch (err) {
      this.rt.log.warn({ err }, 'key rotation job failed; it will try again');
    }
  }

  /** One pass (tests call it directly, with a clock of their choosing). */
  runOnce(now: Date = new Date()): Promise<KeyRotationRun> {
    if (!this.running) this.running = this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<KeyRotationRun> {
    const { store } = this.rt;
    if (!(await store.leases.acquire(KEY_ROTATION_LEASE, this.holder, this.leaseMs, now))) return { acquired: false, rotated: [] };
    const rotated: string[] = [];
    const candidates = await store.tenants.withKeyRotation();
    if (candidates.length === 0) return { acquired: true, rotated };
    const keysets = new Map((await store.tenantBatches.keysetsOf(candidates.map((t) => t._id))).map((k) => [k.tenantId, k]));
    for (const record of candidates) {
      const tenant = await this.rt.tenants.get(record.slug);
      const keyset = keysets.get(record._id);
      if (!tenant || tenant.id !== record._id || !keyset) continue;
      const active = keyset.keys.find((k) => k.status === 'ACTIVE' && k.alg === tenant.settings.signingAlg);
      const since = active ? new Date(active.activatedAt ?? active.createdAt).getTime() : 0;
      if (now.getTime() - since < tenant.settings.keyRotationDays * DAY_MS) continue;
      // Renew before each change: a replica that lost the lease (a long pause) stops here.
      if (!(await store.leases.acquire(KEY_ROTATION_LEASE, this.holder, this.leaseMs, now))) break;
      const after = await rotateTenantKeys(this.rt, tenant);
      const ring = await this.rt.keyRings.get(after);
      await recordAudit(this.rt, {
        actor: SYSTEM_ACTOR,
        tenant: { id: tenant.id, slug: tenant.slug },
        operation: 'scheduledKeyRotation',
        targetType: 'Tenant',
        targetId: tenant.slug,
        outcome: 'SUCCESS',
        arguments: { keyRotationDays: tenant.settings.keyRotationDays },
        before: keysSnapshot(keyset.keys),
        after: keysSnapshot(ring.records),
      });
      this.rt.log.info({ tenant: tenant.slug }, 'signing keys rotated by policy');
      rotated.push(tenant.slug);
    }
    return { acquired: true, rotated };
  }
}
