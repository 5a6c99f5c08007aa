import { hash, verify } from '@node-rs/argon2';
import { newId } from '../store/index.js';
import { DuplicateKeyError } from '../store/errors.js';
import type { UserRecord } from './user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { ConflictError, InputError } from '../errors/domain-errors.js';

/** OWASP's argon2id baseline (19 MiB, 2 passes). */
// algorithm 2 = Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Claims a user record may not set: they are the provider's to assert. */
const PROTECTED_CLAIMS = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'cnf',
  'scope',
  'client_id',
]);

const BOOLEAN_CLAIMS = new Set(['email_verified', 'phone_number_verified']);
const STRING_CLAIMS = new Set([
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
]);

export interface UserInput {
  username: string;
  password: string;
  claims?: unknown;
}

export function validatePassword(password: string): void {
  if (password.length < 8) throw new InputError('password', 'must be at least 8 characters', 'invalid_request');
  if (password.length > 1024) throw new InputError('password', 'must be at most 1024 characters', 'invalid_request');
}

/** Checks claim types per OIDC Core 5.1; custom attributes may be any JSON. */
export function validateClaims(claims: unknown): Record<string, unknown> {
  if (claims === undefined || claims === null) return {};
  if (typeof claims !== 'object' || Array.isArray(claims)) throw new InputError('claims', 'must be a JSON object', 'invalid_request');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims as Record<string, unknown>)) {
    if (PROTECTED_CLAIMS.has(name))
      throw new InputError(`claims.${name}`, 'is set by the provider and cannot be stored on a user', 'invalid_request');
    if (STRING_CLAIMS.has(name) && typeof value !== 'string') throw new InputError(`claims.${name}`, 'must be a string', 'invalid_request');
    if (BOOLEAN_CLAIMS.has(name) && typeof value !== 'boolean')
      throw new InputError(`claims.${name}`, 'must be a boolean', 'invalid_request');
    if (name === 'updated_at' && typeof value !== 'number')
      throw new InputError('claims.updated_at', 'must be a number (seconds since the epoch)', 'invalid_request');
    if (name === 'address' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new InputError('claims.address', 'must be an object (OIDC Core 5.1.1)', 'invalid_request');
    }
    out[name] = value;
  }
  return out;
}

export function validateUsername(username: string): string {
  const u = username.trim();
  if (!u || u.length > 128 || /[\u0000-\u001f\u007f]/.test(u))
    throw new InputError('username', 'must be 1-128 printable characters', 'invalid_request');
  return u;
}

export async function createUser(tenant: TenantContext, input: UserInput): Promise<UserRecord> {
  const username = validateUsername(input.username);
  validatePassword(input.password);
  const claims = validateClaims(input.claims);
  if (await tenant.store.users.findByUsername(username))
    throw new ConflictError('username', `a user "${username}" already exists in this tenant`);
  const now = new Date();
  try {
    return await tenant.store.users.insert({
      _id: newId(),
      username,
      usernameKey: username.toLowerCase(),
      passwordHash: await hash(input.password, ARGON2),
      claims: JSON.stringify(claims),
      email: typeof claims.email === 'string' ? claims.email.toLowerCase() : null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    });
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw new ConflictError('username', `a user "${username}" already exists in this tenant`);
    throw err;
  }
}

export const userClaims = (user: UserRecord): Record<string, unknown> => JSON.parse(user.claims || '{}') as Record<string, unknown>;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);
export const verifyPassword = (passwordHash: string, password: string): Promise<boolean> =>
  verify(passwordHash, password).catch(() => false);
