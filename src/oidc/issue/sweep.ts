import type { Logger } from 'pino';
import type { TenantContext } from '../../tenancy/tenant-context.js';

const SWEEP_PROBABILITY = 0.01;

/**
 * Expiry is enforced in every query (FerretDB has no TTL indexes); this removes the
 * expired records now and then, from about one issuance in a hundred, off the request path.
 */
export function maybeSweep(tenant: TenantContext, log: Logger): void {
  if (Math.random() >= SWEEP_PROBABILITY) return;
  const now = new Date();
  const s = tenant.store;
  Promise.all([s.codes.sweep(now), s.refreshTokens.sweep(now), s.accessTokens.sweep(now), s.clientAssertions.sweep(now), s.grants.sweep(now)]).catch(
    (err: unknown) => log.warn({ err, tenant: tenant.slug }, 'sweeping expired tokens failed'),
  );
}
