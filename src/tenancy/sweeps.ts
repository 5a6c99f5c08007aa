import { TenantInterval } from './tenant-interval.js';

/*
 * The one sweep policy (docs/token-services.md "Expiry and sweeping"). Expiry is enforced
 * in every query (FerretDB has no TTL indexes); sweeping only reclaims space. Every chore
 * that removes expired records runs through `sweepExpired`: per process, at most once per
 * its interval per tenant (or once per interval for platform-wide chores), started by use
 * and run off the request path. Time-based rather than sampled per request, so a busy
 * tenant does not turn its traffic into range deletes and a quiet one is still swept when
 * it is used; the first run of each tenant falls at a random point of the interval, so
 * tenants loaded together (a restart) do not all come due at once.
 */

/** How often each chore may run per tenant and process, in ms. */
export const SWEEP_EVERY_MS = {
  /** Authorization codes, spent refresh tokens, opaque access tokens, client assertion ids, authorizations. */
  tokens: 60_000,
  interactions: 60_000,
  loginSessions: 60_000,
  loginAttempts: 60_000,
  consents: 60_000,
  /** Events and their webhook deliveries (retention of days: no hurry). */
  events: 5 * 60_000,
  /** Platform-wide: the revocation feed (tokens/revocation-view.ts). */
  revocationFeed: 5 * 60_000,
  /** Platform-wide: tenant cache events older than every poll window (tenancy/tenant-registry.ts). */
  cacheEvents: 60_000,
} as const;

export type SweepChore = keyof typeof SWEEP_EVERY_MS;

/** The scope of chores that are not per tenant. */
export const PLATFORM_SCOPE = '*';

const schedules = new Map<SweepChore, TenantInterval>();

function schedule(chore: SweepChore): TenantInterval {
  let s = schedules.get(chore);
  if (!s) schedules.set(chore, (s = new TenantInterval(SWEEP_EVERY_MS[chore])));
  return s;
}

/**
 * Runs `sweep` in the background if `chore` is due for `scope` (a tenant id, or
 * PLATFORM_SCOPE). A failure is reported to `onError` (if given) and otherwise ignored:
 * the next due run tries again, and nothing depends on a sweep having happened.
 */
export function sweepExpired(
  chore: SweepChore,
  scope: string,
  sweep: () => Promise<unknown>,
  onError?: (err: unknown) => void,
  now = Date.now(),
): void {
  if (!schedule(chore).due(scope, now)) return;
  void sweep().catch((err: unknown) => onError?.(err));
}
