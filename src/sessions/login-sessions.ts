import { randomBytes } from 'node:crypto';
import { newId } from '../store/index.js';
import type { LoginSessionRecord } from './login-session-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { SESSION_COOKIE, cookieOptions, readCookies, serializeCookie } from './browser-cookies.js';
import type { Runtime } from '../runtime.js';

/**
 * One login session per tenant and browser. The cookie holds a random value; the
 * database holds only its hash, the user, the OIDC `sid`, when and how the user
 * authenticated, and which clients received tokens.
 */
export interface ActiveSession {
  record: LoginSessionRecord;
  user: UserRecord;
}

/** The browser's live session at this tenant, if any (a disabled user has none). */
export async function currentSession(rt: Runtime, tenant: TenantContext, cookieHeader: string | undefined): Promise<ActiveSession | null> {
  for (const value of readCookies(cookieHeader, SESSION_COOKIE)) {
    const record = await tenant.store.loginSessions.findByCookieHash(rt.envelope.hashSecret(value));
    if (!record) continue;
    const user = await tenant.store.users.findById(record.userId);
    if (!user || user.disabled) return null;
    return { record, user };
  }
  return null;
}

export interface StartedSession {
  record: LoginSessionRecord;
  /** Set-Cookie header value. */
  cookie: string;
}

/**
 * Starts a new session after a successful login, replacing the browser's previous one
 * at this tenant (a new `sid`: the old session's tokens belong to the old login).
 */
export async function startSession(
  rt: Runtime,
  tenant: TenantContext,
  user: UserRecord,
  auth: { amr: string[]; acr?: string },
  cookieHeader: string | undefined,
): Promise<StartedSession> {
  for (const value of readCookies(cookieHeader, SESSION_COOKIE)) {
    const old = await tenant.store.loginSessions.findByCookieHash(rt.envelope.hashSecret(value));
    if (old) await tenant.store.loginSessions.delete(old._id);
  }
  const value = randomBytes(32).toString('base64url');
  const now = new Date();
  const ttl = tenant.settings.sessionTtl;
  const record = await tenant.store.loginSessions.insert({
    _id: newId(),
    cookieHash: rt.envelope.hashSecret(value),
    userId: user._id,
    sid: randomBytes(16).toString('base64url'),
    authTime: new Date(Math.floor(now.getTime() / 1000) * 1000),
    amr: auth.amr,
    acr: auth.acr ?? null,
    clientIds: [],
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttl * 1000),
  });
  if (Math.random() < 0.02) void tenant.store.loginSessions.sweep().catch(() => undefined);
  return { record, cookie: serializeCookie(SESSION_COOKIE, value, cookieOptions(tenant, '', ttl)) };
}

/** Seconds since the epoch, as `auth_time` carries it. */
export const authTimeSeconds = (record: LoginSessionRecord): number => Math.floor(new Date(record.authTime).getTime() / 1000);
