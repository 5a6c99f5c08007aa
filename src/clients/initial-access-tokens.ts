import { randomBytes } from 'node:crypto';
import { timeOrderedId } from '../store/ids.js';
import type { InitialAccessTokenRecord } from './initial-access-token-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { InputError, NotFoundError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';

/** A week: long enough to hand to a partner, short enough not to linger. */
export const INITIAL_ACCESS_TOKEN_DEFAULT_TTL = 7 * 24 * 3600;
const MAX_TTL = 365 * 24 * 3600;

export interface InitialAccessTokenOptions {
  /** Lifetime in seconds. */
  expiresIn?: number | null;
  /** Spent by the first successful registration. */
  singleUse?: boolean | null;
  createdBy: string;
}

/** Makes a token for the tenant's registration endpoint; returns it once, stores its hash. */
export async function createInitialAccessToken(
  rt: Runtime,
  tenant: TenantContext,
  opts: InitialAccessTokenOptions,
): Promise<{ token: string; record: InitialAccessTokenRecord }> {
  const ttl = opts.expiresIn ?? INITIAL_ACCESS_TOKEN_DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TTL)
    throw new InputError('expiresIn', `must be a whole number of seconds from 60 to ${MAX_TTL}`, 'invalid_request');
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const record = await tenant.store.initialAccessTokens.insert({
    _id: timeOrderedId(now.getTime()),
    tokenHash: rt.envelope.hashSecret(token),
    singleUse: opts.singleUse ?? false,
    usedAt: null,
    uses: 0,
    createdBy: opts.createdBy,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttl * 1000),
    revokedAt: null,
  });
  return { token, record };
}

/**
 * For the registration endpoint: spends one use of a presented token. Null when the token
 * is unknown, of another tenant, expired, revoked or (single-use) already spent.
 */
export function consumeInitialAccessToken(rt: Runtime, tenant: TenantContext, token: string): Promise<InitialAccessTokenRecord | null> {
  return tenant.store.initialAccessTokens.consume(rt.envelope.hashSecret(token));
}

export async function revokeInitialAccessToken(
  tenant: TenantContext,
  id: string,
): Promise<{ before: InitialAccessTokenRecord; after: InitialAccessTokenRecord }> {
  const before = await tenant.store.initialAccessTokens.findById(id);
  if (!before) throw new NotFoundError(`initial access token ${id}`);
  const after = (await tenant.store.initialAccessTokens.revoke(id)) ?? before;
  return { before, after };
}
