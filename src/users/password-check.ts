import { randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import { extensionMetrics } from '../claims/extension-metrics.js';
import { hashPassword, verifyPassword } from './users.js';
import type { UserRecord } from './user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

let dummyHash: Promise<string> | undefined;

/**
 * Password evaluations by outcome: the cost an attacker can make the server pay, and
 * what the lock-out bounds (docs/security.md "Login throttling"). Served at /metrics.
 */
export const passwordVerifications = new Counter({
  name: 'gatehouse_password_verifications_total',
  help: 'Passwords evaluated (login page and password grant) by outcome; lock-outs refuse attempts before this',
  labelNames: ['outcome'],
  registers: [extensionMetrics],
});

/**
 * The user whose password matches, or null. An unknown username is verified against a
 * dummy argon2id hash, so the response time does not reveal whether the user exists.
 * Disabled users cannot log in. Shared by the login page and the password grant.
 */
export async function checkPassword(tenant: TenantContext, username: string, password: string): Promise<UserRecord | null> {
  const user = await tenant.store.users.findByUsername(username);
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  const ok = await verifyPassword(user ? user.passwordHash : await dummyHash, password);
  passwordVerifications.inc({ outcome: ok && user ? 'match' : 'mismatch' });
  return ok && user && !user.disabled ? user : null;
}
