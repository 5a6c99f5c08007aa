import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { limits } from '../../config/defaults.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/** A tenant's expired records are removed at most this often by one process. */
const SWEEP_EVERY_MS = 60_000;
const lastSweep = new LRUCache<string, number>({ max: limits.tenantCacheSize });

/**
 * Expiry is enforced in every query (FerretDB has no TTL indexes); this removes the
 * expired records now and then, off the request path. By time, not per issuance: each
 * sweep is a range delete on five collections, and a busy token endpoint issuing
 * thousands of tokens a second must not turn into that many deletes.
 */
export function maybeSweep(tenant: TenantContext, log: Logger): void {
  const nowMs = Date.now();
  const last = lastSweep.get(tenant.id);
  if (last === undefined) {
    // Spread the first sweeps of tenants loaded together (a restart) over the interval.
    lastSweep.set(tenant.id, nowMs - Math.random() * SWEEP_EVERY_MS);
    return;
  }
  if (nowMs - last < SWEEP_EVERY_MS) return;
  lastSweep.set(tenant.id, nowMs);
  const now = new Date(nowMs);
  const s = tenant.store;
  Promise.all([s.codes.sweep(now), s.refreshTokens.sweep(now), s.accessTokens.sweep(now), s.clientAssertions.sweep(now), s.grants.sweep(now)]).catch(
    (err: unknown) => log.warn({ err, tenant: tenant.slug }, 'sweeping expired tokens failed'),
  );
}
