import type { UserRecord } from './user-record.js';
import { DuplicateKeyError } from '../store/errors.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { ConflictError, NotFoundError } from '../errors/domain-errors.js';
import { hashPassword, validateClaims, validatePassword, validateUsername } from './users.js';

/**
 * Administrative changes to a tenant's users (the admin API's side; the login side only
 * reads users). Revoking what a user holds is tokens/token-revocation.ts.
 */
export interface UserUpdate {
  username?: string | null;
  /** Replaces the user's claims entirely. */
  claims?: unknown;
}

async function mustFind(tenant: TenantContext, id: string): Promise<UserRecord> {
  const user = await tenant.store.users.findById(id);
  if (!user) throw new NotFoundError(`user ${id}`);
  return user;
}

async function save(tenant: TenantContext, id: string, set: Partial<UserRecord>): Promise<UserRecord> {
  try {
    const updated = await tenant.store.users.update(id, set);
    if (!updated) throw new NotFoundError(`user ${id}`);
    return updated;
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw new ConflictError('username', `a user "${set.username}" already exists in this tenant`);
    throw err;
  }
}

export async function updateUser(tenant: TenantContext, id: string, input: UserUpdate): Promise<{ before: UserRecord; user: UserRecord }> {
  const before = await mustFind(tenant, id);
  const set: Partial<UserRecord> = {};
  if (input.username != null) {
    const username = validateUsername(input.username);
    if (username.toLowerCase() !== before.usernameKey) {
      const clash = await tenant.store.users.findByUsername(username);
      if (clash && clash._id !== id) throw new ConflictError('username', `a user "${username}" already exists in this tenant`);
    }
    set.username = username;
    set.usernameKey = username.toLowerCase();
  }
  if (input.claims !== undefined) {
    const claims = validateClaims(input.claims);
    set.claims = JSON.stringify(claims);
    set.email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
  }
  return { before, user: await save(tenant, id, set) };
}

export async function setUserPassword(tenant: TenantContext, id: string, password: string): Promise<UserRecord> {
  validatePassword(password);
  await mustFind(tenant, id);
  return save(tenant, id, { passwordHash: await hashPassword(password) });
}

export async function setUserDisabled(
  tenant: TenantContext,
  id: string,
  disabled: boolean,
): Promise<{ before: UserRecord; user: UserRecord }> {
  const before = await mustFind(tenant, id);
  return { before, user: await save(tenant, id, { disabled }) };
}

export async function deleteUser(tenant: TenantContext, id: string): Promise<UserRecord | null> {
  const before = await tenant.store.users.findById(id);
  if (!before) return null;
  await tenant.store.users.delete(id);
  return before;
}
