import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { dpopDefaults } from '../config/defaults.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * The DPoP `jti` replay cache (RFC 9449 11.1), shared by replicas: the database's unique
 * index decides, so a proof replayed at another replica is refused as well. The
 * in-process front answers a replay seen here without a round trip; entries leave it
 * when the proof would be too old anyway.
 */
const seen = new LRUCache<string, true>({ max: dpopDefaults.replayCacheSize, ttlAutopurge: false });

interface Waiting {
  key: string;
  expiresAt: Date;
  resolve: (fresh: boolean) => void;
  reject: (err: unknown) => void;
}

/** Per tenant: the proofs waiting for the next insert, and whether one is on its way. */
interface Queue {
  tenant: TenantContext;
  waiting: Waiting[];
  writing: boolean;
}

const queues = new Map<string, Queue>();
/** Proofs of this process on their way to the database: the same key again is a replay, answered at once. */
const inFlight = new Set<string>();
const BATCH_MAX = 500;

/**
 * Group commit: one insert in flight per tenant; the proofs that arrive meanwhile go
 * together in the next one (an unordered insertMany, each document judged on its own by
 * the unique index). Every request still waits for the database's verdict on its own
 * proof, so a replay is refused across replicas exactly as with one insert per proof
 * (docs/performance.md "DPoP proofs").
 */
function write(q: Queue): void {
  if (q.writing || !q.waiting.length) return;
  q.writing = true;
  const batch = q.waiting.splice(0, BATCH_MAX);
  q.tenant.store.dpopProofs
    .recordUses(batch)
    .then(
      (fresh) => batch.forEach((w, i) => w.resolve(fresh[i]!)),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    )
    .finally(() => {
      q.writing = false;
      if (q.waiting.length) write(q);
      else queues.delete(q.tenant.id);
    });
}

/** Records the proof `jti` of key `jkt` until `until` (seconds); false if it was used before. */
export async function recordDpopJti(tenant: TenantContext, jkt: string, jti: string, until: number): Promise<boolean> {
  const key = createHash('sha256').update(`${jkt}|${jti}`).digest('base64url');
  const local = `${tenant.id}|${key}`;
  if (seen.has(local) || inFlight.has(local)) return false;
  const ttl = Math.max(1, until * 1000 - tenant.clock.now());
  inFlight.add(local);
  try {
    let q = queues.get(tenant.id);
    if (!q) queues.set(tenant.id, (q = { tenant, waiting: [], writing: false }));
    // The newest context carries the store (a tenant reloaded meanwhile).
    q.tenant = tenant;
    const fresh = await new Promise<boolean>((resolve, reject) => {
      q.waiting.push({ key, expiresAt: new Date(until * 1000), resolve, reject });
      write(q);
    });
    seen.set(local, true, { ttl });
    return fresh;
  } finally {
    inFlight.delete(local);
  }
}
