import { KeyRotationJob, type KeyRotationJobOptions } from '../keys/key-rotation-job.js';
import type { Runtime } from '../runtime.js';

/**
 * The timers a serving process runs (docs/architecture.md, "Composition root"). Every
 * process runs all of them; database leases make sure only one replica acts where that
 * matters. Tests and the bench turn single jobs off by name, never by default.
 */
export type BackgroundJobName = 'registrySync' | 'keyRotation' | 'eventDelivery' | 'logoutDelivery';

export interface BackgroundJobOptions {
  /** Jobs left off (a test that drives one by hand, a seeding runtime that serves nothing). */
  without?: readonly BackgroundJobName[];
  keyRotation?: KeyRotationJobOptions;
}

export interface BackgroundJobs {
  /** The key rotation job (started unless turned off; tests may call `runOnce()`). */
  keyRotation: KeyRotationJob;
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
  // Resumes event deliveries a previous run (or another replica) left pending.
  if (!off.has('eventDelivery')) rt.events.start();
  // And back-channel logout tokens still due (events/logout-delivery.ts).
  if (!off.has('logoutDelivery')) rt.logoutDeliveries.start();
  return {
    keyRotation,
    stop: async () => {
      rt.tenants.stopSync();
      await keyRotation.stop();
      await rt.events.stop();
      await rt.logoutDeliveries.stop();
      await rt.outbox.stop();
    },
  };
}
