import type { Logger } from 'pino';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { sweepExpired } from '../tenancy/sweeps.js';

/**
 * Removes a tenant's expired token records when the `tokens` chore is due (the one sweep
 * policy, tenancy/sweeps.ts): codes, spent refresh tokens, opaque access tokens, client
 * assertion ids, pushed requests, DPoP proof ids and authorizations, in bounded steps. Called wherever
 * tokens are issued; expiry itself is enforced by every query, not by this.
 */
export function sweepExpiredTokens(tenant: TenantContext, log: Logger, now = tenant.clock.now()): void {
  sweepExpired(
    'tokens',
    tenant.id,
    async () => {
      const at = tenant.clock.date();
      const s = tenant.store;
      // One collection after the other, each in bounded steps (store/sweep.ts): a sweep
      // never holds the database for long, so the token paths it runs beside do not wait.
      for (const repo of [s.codes, s.refreshTokens, s.pushedRequests, s.accessTokens, s.clientAssertions, s.dpopProofs, s.authorizations])
        await repo.sweep(at);
    },
    (err) => log.warn({ err, tenant: tenant.slug }, 'sweeping expired tokens failed'),
    now,
  );
}
