import type { TenantContext } from '../tenancy/tenant-context.js';
import { sweepExpired } from '../tenancy/sweeps.js';

/**
 * Brute-force protection for password checks (the login page and the password grant),
 * per tenant. Every attempt is counted before its password is evaluated (reserve);
 * a counter per key allows `freeFailures` failures; each further attempt locks the key
 * for a window that doubles every time, up to `maxLockMs`. A count left
 * alone for `staleMs` starts again. Failures are counted whether or not the user exists,
 * so the lock-out itself tells nothing about which usernames are real.
 */
interface ThrottlePolicy {
  freeFailures: number;
  baseLockMs: number;
  maxLockMs: number;
  staleMs: number;
}

/** Per username (docs/security.md "Login throttling": at least 5 failures before any slow-down): 30 s, 1 min, 2 min, … up to 1 h. */
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

const lockWindow = (policy: ThrottlePolicy, count: number): number =>
  Math.min(policy.baseLockMs * 2 ** Math.min(count - policy.freeFailures - 1, 30), policy.maxLockMs);

/** One counted attempt: evaluate the password only if `allowed`, then settle it with attemptSucceeded (a failure stays counted). */
export interface AttemptTicket {
  key: string;
  allowed: boolean;
  /** The attempt's number in the current count (when allowed). */
  count: number;
}

/**
 * Reserve, then check (issue 12 finding 4): the attempt is counted atomically BEFORE
 * the password is evaluated, so concurrent guesses (on any replica) cannot all pass a
 * check made before any of them was recorded. The first `freeFailures` attempts of a
 * count are evaluated; after them, one attempt per lock window — the one that sets the
 * lock — and the rest are refused unevaluated and not counted (so a flood does not
 * lengthen the lock for the real user). At most freeFailures + 1 guesses per count, then
 * one per window.
 */
async function reserve(tenant: TenantContext, key: string, policy: ThrottlePolicy, now: Date): Promise<AttemptTicket> {
  const repo = tenant.store.loginAttempts;
  sweepExpired('loginAttempts', tenant.id, () => repo.sweep(new Date(now.getTime() - PER_USERNAME.staleMs)));
  const rec = await repo.reserve(key, now, new Date(now.getTime() - policy.staleMs));
  if (!rec) return { key, allowed: false, count: 0 };
  if (rec.failures <= policy.freeFailures) return { key, allowed: true, count: rec.failures };
  if (await repo.claimWindow(key, now, new Date(now.getTime() + lockWindow(policy, rec.failures))))
    return { key, allowed: true, count: rec.failures };
  await repo.refund(key);
  return { key, allowed: false, count: 0 };
}

/**
 * The password was right: the count starts again — unless other attempts were reserved
 * after this one (a concurrent burst), whose guesses must stay counted; then only this
 * attempt is given back. For the per-client counter (not reset by a success) it is
 * always just given back.
 */
async function settleSuccess(tenant: TenantContext, ticket: AttemptTicket, reset: boolean): Promise<void> {
  if (!ticket.allowed) return;
  if (reset && (await tenant.store.loginAttempts.clearAt(ticket.key, ticket.count))) return;
  await tenant.store.loginAttempts.refund(ticket.key);
}

export const isLockedOut = (tenant: TenantContext, username: string, now = tenant.clock.date()): Promise<boolean> =>
  locked(tenant, usernameKey(username), now);

/** Counts a login attempt for `username` before its password is checked. */
export const reserveLoginAttempt = (tenant: TenantContext, username: string, now = tenant.clock.date()): Promise<AttemptTicket> =>
  reserve(tenant, usernameKey(username), PER_USERNAME, now);

/** The password grant's per-client counter: catches guessing spread over many usernames. */
export const reserveClientAttempt = (tenant: TenantContext, clientId: string, now = tenant.clock.date()): Promise<AttemptTicket> =>
  reserve(tenant, clientKey(clientId), PER_CLIENT, now);

/** A username attempt whose password was right. */
export const loginSucceeded = (tenant: TenantContext, ticket: AttemptTicket): Promise<void> => settleSuccess(tenant, ticket, true);

/** A client attempt that succeeded, or any attempt not evaluated after all: it does not count. Not a reset: one valid account must not reset a client's count. */
export const releaseAttempt = (tenant: TenantContext, ticket: AttemptTicket): Promise<void> => settleSuccess(tenant, ticket, false);

export const isClientLockedOut = (tenant: TenantContext, clientId: string, now = tenant.clock.date()): Promise<boolean> =>
  locked(tenant, clientKey(clientId), now);

/**
 * User-code entry on the device page (RFC 8628 5.1), per tenant and client address: a
 * user code is short, so wrong ones are counted like wrong passwords. 10 wrong codes,
 * then 30 s, 1 min, … up to 15 min; forgotten after a quiet hour. A right code gives its
 * attempt back (releaseAttempt) but never resets the count: an attacker's own valid code
 * must not buy more guesses.
 */
const PER_DEVICE_PAGE_ADDRESS: ThrottlePolicy = { freeFailures: 10, baseLockMs: 30_000, maxLockMs: 15 * 60_000, staleMs: 60 * 60_000 };
const deviceAddressKey = (address: string): string => `\u0002device ${address.slice(0, 64)}`;

/** Counts a user-code attempt from `address` before the code is looked up. */
export const reserveUserCodeAttempt = (tenant: TenantContext, address: string, now = tenant.clock.date()): Promise<AttemptTicket> =>
  reserve(tenant, deviceAddressKey(address), PER_DEVICE_PAGE_ADDRESS, now);
