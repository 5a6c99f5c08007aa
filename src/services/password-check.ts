import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from './users.js';
import type { UserRecord } from '../store/models/user.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

let dummyHash: Promise<string> | undefined;

/**
 * The user whose password matches, or null. An unknown username is verified against a
 * dummy argon2id hash, so the response time does not reveal whether the user exists.
 * Disabled users cannot log in. Shared by the login page and the password grant.
 */
export async function checkPassword(tenant: TenantContext, username: string, password: string): Promise<UserRecord | null> {
  const user = await tenant.store.users.findByUsername(username);
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  const ok = await verifyPassword(user ? user.passwordHash : await dummyHash, password);
  return ok && user && !user.disabled ? user : null;
}
