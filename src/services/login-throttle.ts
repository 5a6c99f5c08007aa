import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Brute-force protection for password checks (the login page and the password grant),
 * per tenant. A counter per key allows `freeFailures` failures; each further failure
 * locks the key for a window that doubles every time, up to `maxLockMs`. A count left
 * alone for `staleMs` starts again. Failures are counted whether or not the user exists,
 * so the lock-out itself tells nothing about which usernames are real.
 */
interface ThrottlePolicy {
  freeFailures: number;
  baseLockMs: number;
  maxLockMs: number;
  staleMs: number;
}

/** Per username (DESIGN.md "Failed logins": at least 5 failures before any slow-down): 30 s, 1 min, 2 min, … up to 1 h. */
const PER_USERNAME: ThrottlePolicy = { freeFailures: 5, baseLockMs: 30_000, maxLockMs: 60 * 60_000, staleMs: 24 * 60 * 60_000 };

/**
 * Per client of the password grant: catches guessing spread over many usernames through
 * one client. Generous (a busy app's users mistype) and short (a lock stops every user
 * of that client): 50 failures, then 1 s, 2 s, … up to 1 min; forgotten after 10 quiet minutes.
 */
const PER_CLIENT: ThrottlePolicy = { freeFailures: 50, baseLockMs: 1_000, maxLockMs: 60_000, staleMs: 10 * 60_000 };

/** Control characters are dropped from usernames, so no username can spell a client key. */
const usernameKey = (username: string): string =>
  username
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .toLowerCase()
    .slice(0, 256);
const clientKey = (clientId: string): string => `\u0001client ${clientId}`;

async function locked(tenant: TenantContext, key: string, now: Date): Promise<boolean> {
  const rec = await tenant.store.loginAttempts.find(key);
  return !!rec?.lockedUntil && new Date(rec.lockedUntil) > now;
}

async function recordFailure(tenant: TenantContext, key: string, policy: ThrottlePolicy, now: Date): Promise<void> {
  const prev = await tenant.store.loginAttempts.find(key);
  const stale = !!prev && now.getTime() - new Date(prev.lastFailureAt).getTime() > policy.staleMs;
  const rec = await tenant.store.loginAttempts.recordFailure(key, now, stale);
  if (Math.random() < 0.02) void tenant.store.loginAttempts.sweep(new Date(now.getTime() - PER_USERNAME.staleMs)).catch(() => undefined);
  if (rec.failures > policy.freeFailures) {
    const window = Math.min(policy.baseLockMs * 2 ** Math.min(rec.failures - policy.freeFailures - 1, 30), policy.maxLockMs);
    await tenant.store.loginAttempts.lock(key, new Date(now.getTime() + window));
  }
}

export const isLockedOut = (tenant: TenantContext, username: string, now = new Date()): Promise<boolean> => locked(tenant, usernameKey(username), now);

export const recordFailedLogin = (tenant: TenantContext, username: string, now = new Date()): Promise<void> =>
  recordFailure(tenant, usernameKey(username), PER_USERNAME, now);

export async function clearFailedLogins(tenant: TenantContext, username: string): Promise<void> {
  await tenant.store.loginAttempts.clear(usernameKey(username));
}

/** The password grant's per-client counter. Not cleared by a success: one valid account must not reset it. */
export const isClientLockedOut = (tenant: TenantContext, clientId: string, now = new Date()): Promise<boolean> => locked(tenant, clientKey(clientId), now);

export const recordClientFailure = (tenant: TenantContext, clientId: string, now = new Date()): Promise<void> =>
  recordFailure(tenant, clientKey(clientId), PER_CLIENT, now);
