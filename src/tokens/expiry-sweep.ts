import type { Logger } from 'pino';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { sweepExpired } from '../tenancy/sweeps.js';

/**
 * Removes a tenant's expired token records when the `tokens` chore is due (the one sweep
 * policy, tenancy/sweeps.ts): codes, spent refresh tokens, opaque access tokens, client
 * assertion ids and authorizations, each a range delete on `expiresAt`. Called wherever
 * tokens are issued; expiry itself is enforced by every query, not by this.
 */
export function sweepExpiredTokens(tenant: TenantContext, log: Logger, now = tenant.clock.now()): void {
  sweepExpired(
    'tokens',
    tenant.id,
    () => {
      const at = tenant.clock.date();
      const s = tenant.store;
      return Promise.all([
        s.codes.sweep(at),
        s.refreshTokens.sweep(at),
        s.accessTokens.sweep(at),
        s.clientAssertions.sweep(at),
        s.pushedRequests.sweep(at),
        s.dpopProofs.sweep(at),
        s.authorizations.sweep(at),
      ]);
    },
    (err) => log.warn({ err, tenant: tenant.slug }, 'sweeping expired tokens failed'),
    now,
  );
}
