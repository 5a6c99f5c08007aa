import type { Logger } from 'pino';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { TenantInterval } from '../../tenancy/tenant-interval.js';

/** A tenant's expired tokens are removed at most this often by one process. */
const sweeps = new TenantInterval(60_000);

/**
 * Expiry is enforced in every query (FerretDB has no TTL indexes); this removes the
 * expired records now and then, off the request path: a range delete on six
 * collections, once a minute per tenant whatever the issuance rate.
 */
export function maybeSweep(tenant: TenantContext, log: Logger): void {
  if (!sweeps.due(tenant.id)) return;
  const now = new Date();
  const s = tenant.store;
  Promise.all([
    s.codes.sweep(now),
    s.refreshTokens.sweep(now),
    s.accessTokens.sweep(now),
    s.clientAssertions.sweep(now),
    s.pushedRequests.sweep(now),
    s.dpopProofs.sweep(now),
    s.grants.sweep(now),
  ]).catch((err: unknown) => log.warn({ err, tenant: tenant.slug }, 'sweeping expired tokens failed'));
}
