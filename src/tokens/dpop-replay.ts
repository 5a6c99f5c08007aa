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

/** Proofs of this process on their way to the database: the same key again is a replay, answered at once. */
const inFlight = new Set<string>();

/** Records the proof `jti` of key `jkt` until `until` (seconds); false if it was used before. */
export async function recordDpopJti(tenant: TenantContext, jkt: string, jti: string, until: number): Promise<boolean> {
  const key = createHash('sha256').update(`${jkt}|${jti}`).digest('base64url');
  const local = `${tenant.id}|${key}`;
  if (seen.has(local) || inFlight.has(local)) return false;
  const ttl = Math.max(1, until * 1000 - tenant.clock.now());
  inFlight.add(local);
  try {
    // Grouped with concurrent proofs into one insert (store/group-insert.ts); the unique
    // index judges each on its own, so replicas refuse a replay exactly as with one insert
    // per proof (docs/performance.md "DPoP proofs").
    const fresh = await tenant.store.dpopProofs.recordUse(key, new Date(until * 1000));
    seen.set(local, true, { ttl });
    return fresh;
  } finally {
    inFlight.delete(local);
  }
}
