import { KeyPoolJob, type KeyPoolJobOptions } from '../keys/key-pool-job.js';
import { KeyRotationJob, type KeyRotationJobOptions } from '../keys/key-rotation-job.js';
import type { Runtime } from '../runtime.js';

/**
 * The timers a serving process runs (docs/architecture.md, "Composition root"). Every
 * process runs all of them; database leases make sure only one replica acts where that
 * matters. Tests and the bench turn single jobs off by name, never by default.
 */
export type BackgroundJobName = 'registrySync' | 'keyRotation' | 'keyPool' | 'eventDelivery' | 'logoutDelivery';

export interface BackgroundJobOptions {
  /** Jobs left off (a test that drives one by hand, a seeding runtime that serves nothing). */
  without?: readonly BackgroundJobName[];
  keyRotation?: KeyRotationJobOptions;
  keyPool?: KeyPoolJobOptions;
}

export interface BackgroundJobs {
  /** The key rotation job (started unless turned off; tests may call `runOnce()`). */
  keyRotation: KeyRotationJob;
  /** The key pool's refill job (keys/key-pool-job.ts; started unless turned off; tests may call `runOnce()`). */
  keyPool: KeyPoolJob;
  /** Stops the timers and waits for work in progress; pending work stays in the database or the outbox journal. */
  stop(): Promise<void>;
}

export function startBackgroundJobs(rt: Runtime, opts: BackgroundJobOptions = {}): BackgroundJobs {
  const off = new Set(opts.without ?? []);
  // Tenant cache and revocation view freshness across replicas (GATEHOUSE_CACHE_SYNC_SECONDS).
  if (!off.has('registrySync')) rt.tenants.startSync(rt.config.cacheSyncInterval * 1000);
  // Every process runs the timer; a database lease lets only one of them rotate.
  const keyRotation = new KeyRotationJob(rt, opts.keyRotation);
  if (!off.has('keyRotation')) keyRotation.start();
  // Pre-generated key pairs for new tenants; the same lease pattern: one replica refills.
  const keyPool = new KeyPoolJob(rt, opts.keyPool);
  if (!off.has('keyPool')) keyPool.start();
  // Resumes event deliveries a previous run (or another replica) left pending.
  if (!off.has('eventDelivery')) rt.events.start();
  // And back-channel logout tokens still due (events/logout-delivery.ts).
  if (!off.has('logoutDelivery')) rt.logoutDeliveries.start();
  return {
    keyRotation,
    keyPool,
    stop: async () => {
      rt.tenants.stopSync();
      await keyRotation.stop();
      await keyPool.stop();
      await rt.events.stop();
      await rt.logoutDeliveries.stop();
      await rt.outbox.stop();
    },
  };
}
