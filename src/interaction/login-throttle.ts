import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Brute-force protection per tenant and username (DESIGN.md "Failed logins"). Five
 * failures are always allowed; from the sixth on, the username is locked for a window
 * that doubles with every further failure (30 s, 1 min, 2 min, … up to 1 h). A count
 * left alone for a day starts again. Unknown usernames are counted the same way, so the
 * lock-out tells nothing about which users exist.
 */
export const FREE_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 60 * 60_000;
const STALE_MS = 24 * 60 * 60_000;

const keyOf = (username: string): string => username.trim().toLowerCase().slice(0, 256);

export async function isLockedOut(tenant: TenantContext, username: string, now = new Date()): Promise<boolean> {
  const rec = await tenant.store.loginAttempts.find(keyOf(username));
  return !!rec?.lockedUntil && new Date(rec.lockedUntil) > now;
}

export async function recordFailedLogin(tenant: TenantContext, username: string, now = new Date()): Promise<void> {
  const key = keyOf(username);
  const prev = await tenant.store.loginAttempts.find(key);
  const stale = !!prev && now.getTime() - new Date(prev.lastFailureAt).getTime() > STALE_MS;
  const rec = await tenant.store.loginAttempts.recordFailure(key, now, stale);
  if (Math.random() < 0.02) void tenant.store.loginAttempts.sweep(new Date(now.getTime() - STALE_MS)).catch(() => undefined);
  if (rec.failures > FREE_FAILURES) {
    const window = Math.min(BASE_LOCK_MS * 2 ** (rec.failures - FREE_FAILURES - 1), MAX_LOCK_MS);
    await tenant.store.loginAttempts.lock(key, new Date(now.getTime() + window));
  }
}

export async function clearFailedLogins(tenant: TenantContext, username: string): Promise<void> {
  await tenant.store.loginAttempts.clear(keyOf(username));
}
