import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { keyPoolDefaults } from '../config/defaults.js';
import type { Runtime } from '../runtime.js';
import { KEY_FAMILIES, type KeyFamily } from './families.js';
import { keyPoolTargets, makePoolPair, onPoolClaim, poolCutoff } from './key-pool.js';

export const KEY_POOL_LEASE = 'key-pool-refill';

export interface KeyPoolJobOptions {
  /** How often a replica checks the pool (default keyPoolDefaults.checkIntervalMs); a claim in this process wakes it too. */
  intervalMs?: number;
  /** How long the lease holds without renewal; renewed before every pair (default keyPoolDefaults.leaseMs). */
  leaseMs?: number;
  /** This replica's name in the lease (default hostname:pid:random). */
  holder?: string;
  /** Rest after each pair as long as it took to make (default true): refilling uses at most half of one core. */
  pace?: boolean;
  /** Refill only after this process made no claim for this long (default keyPoolDefaults.quietMs). */
  quietMs?: number;
}

export interface KeyPoolRun {
  /**
   * 'held': this replica refilled; 'busy': another one holds the lease; 'full': nothing was
   * missing (no lease taken); 'deferred': this process is claiming pairs (an onboarding burst), it refills after.
   */
  lease: 'held' | 'busy' | 'full' | 'deferred';
  /** Pairs generated and added in this run. */
  generated: number;
  /** Pairs removed: too old, sealed under another master key, or beyond the target. */
  discarded: number;
}

/**
 * Keeps the key pool (keys/key-pool.ts, docs/keys.md "Key pool") at its target size per
 * family. Every replica runs the timer; a database lease lets one of them refill at a time.
 * Off the request path and gentle: one pair at a time (node's key generation runs on the
 * libuv thread pool), a rest as long as the pair took after each, the lease renewed before
 * each, and stop() waits for at most the pair in progress.
 */
export class KeyPoolJob {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<KeyPoolRun> | undefined;
  private stopping = false;
  private readonly holder: string;
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly pace: boolean;
  private readonly quietMs: number;
  /** When this process last claimed pairs (performance.now()); the refill keeps out of its way. */
  private lastClaim = -Infinity;

  constructor(
    private readonly rt: Runtime,
    opts: KeyPoolJobOptions = {},
  ) {
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.intervalMs = opts.intervalMs ?? keyPoolDefaults.checkIntervalMs;
    this.leaseMs = opts.leaseMs ?? keyPoolDefaults.leaseMs;
    this.pace = opts.pace ?? true;
    this.quietMs = opts.quietMs ?? keyPoolDefaults.quietMs;
  }

  /**
   * Checks now and then every interval; a claim made in this process schedules a check at
   * once. With the pool off (GATEHOUSE_KEY_POOL_TENANTS=0) only one pass at start, which
   * removes pairs left from when it was on.
   */
  start(): void {
    this.stopTimers();
    this.stopping = false;
    if (this.rt.config.keyPoolTenants === 0) return this.wake();
    this.timer = setInterval(() => this.wake(), this.intervalMs);
    this.timer.unref();
    this.unsubscribe = onPoolClaim(this.rt.store, () => {
      this.lastClaim = performance.now();
      this.wake();
    });
    this.wake();
  }

  /** Stops the timers, waits for the pair in progress and gives the lease back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopTimers();
    await this.running?.catch(() => undefined);
    await this.rt.store.leases.release(KEY_POOL_LEASE, this.holder).catch(() => undefined);
  }

  /** One pass (tests call it directly instead of waiting for the timer); a pass in progress is joined. */
  runOnce(): Promise<KeyPoolRun> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
      // Claims during the pass (it counted before them): check again.
      if (this.again && !this.stopping) this.wake();
      this.again = false;
    });
    return this.running;
  }

  private again = false;

  private wake(): void {
    if (this.soon || this.stopping) return;
    // A burst of claims (one onboarding takes eight pairs) makes one check, once they stop.
    const wait = Math.max(50, this.quietMs - (performance.now() - this.lastClaim));
    this.soon = setTimeout(() => {
      this.soon = undefined;
      if (this.running) {
        this.again = true;
        return;
      }
      this.runOnce().catch((err: unknown) => this.rt.log.warn({ err }, 'key pool refill failed; it will try again'));
    }, wait);
    this.soon.unref();
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.unsubscribe?.();
    this.timer = this.soon = this.unsubscribe = undefined;
  }

  private claiming(): boolean {
    return performance.now() - this.lastClaim < this.quietMs;
  }

  private async pass(): Promise<KeyPoolRun> {
    const { store, envelope, clock } = this.rt;
    const targets = keyPoolTargets(this.rt.config.keyPoolTenants);
    const mk = envelope.currentKeyId;
    let discarded = await store.keyPool.discardUnusable(poolCutoff(clock.date()), mk);
    let counts = await store.keyPool.counts(poolCutoff(clock.date()), mk);
    // Beyond the target (the setting was lowered, or 0: the pool is off): the surplus goes.
    for (const f of KEY_FAMILIES)
      if ((counts.get(f) ?? 0) > (targets.get(f) ?? 0)) discarded += await store.keyPool.trim(f, targets.get(f) ?? 0);
    if (!KEY_FAMILIES.some((f) => (counts.get(f) ?? 0) < (targets.get(f) ?? 0))) return { lease: 'full', generated: 0, discarded };
    if (this.claiming()) {
      this.again = true;
      return { lease: 'deferred', generated: 0, discarded };
    }
    if (!(await store.leases.acquire(KEY_POOL_LEASE, this.holder, this.leaseMs, clock.date())))
      return { lease: 'busy', generated: 0, discarded };
    // Counted again under the lease: another replica may have filled it just before.
    counts = await store.keyPool.counts(poolCutoff(clock.date()), mk);
    let generated = 0;
    try {
      for (let family = neediest(counts, targets); family && !this.stopping; family = neediest(counts, targets)) {
        // Claims again (the next tenant of a burst): stop, and come back once they stop.
        if (this.claiming()) {
          this.again = true;
          break;
        }
        // Renewed before each pair: a replica that lost the lease (a long pause) stops here.
        if (!(await store.leases.acquire(KEY_POOL_LEASE, this.holder, this.leaseMs, clock.date()))) break;
        const started = performance.now();
        await store.keyPool.insert(await makePoolPair(envelope, family, clock.date()));
        counts.set(family, (counts.get(family) ?? 0) + 1);
        generated++;
        // Yield to request handling; with pacing, rest as long as the pair took (not after the last one).
        const rest = this.pace && neediest(counts, targets) ? performance.now() - started : 0;
        await new Promise((r) => setTimeout(r, rest));
      }
    } finally {
      await store.leases.release(KEY_POOL_LEASE, this.holder).catch(() => undefined);
    }
    if (generated) this.rt.log.debug({ generated }, 'key pool refilled');
    return { lease: 'held', generated, discarded };
  }
}

/** The family furthest below its target (by share), or undefined when every family is full. */
function neediest(counts: Map<KeyFamily, number>, targets: Map<KeyFamily, number>): KeyFamily | undefined {
  let best: KeyFamily | undefined;
  let bestShare = 1;
  for (const f of KEY_FAMILIES) {
    const target = targets.get(f) ?? 0;
    if (target === 0) continue;
    const share = (counts.get(f) ?? 0) / target;
    if (share < bestShare) [best, bestShare] = [f, share];
  }
  return best;
}
