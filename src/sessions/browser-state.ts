import type { LoginSessionRecord } from './login-session-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { secureCookies, tenantCookiePath } from './browser-cookies.js';
import type { Runtime } from '../runtime.js';

/**
 * The "OP browser state" of OIDC Session Management 1.0: a value the check_session
 * iframe reads from a cookie and that changes whenever the user logs in or out at the
 * tenant. It is NOT HttpOnly (the iframe's script must read it) and carries nothing
 * secret: it is a keyed hash, never the session cookie.
 */
export const BROWSER_STATE_COOKIE = 'gh_browser_state';

/**
 * The browser state of a session, or of "nobody signed in" (`sid` null).
 *
 * Derived, not stored: a keyed hash (the deployment's hashing key, which every replica
 * loads from the database and which survives master key rotation) of the tenant id and
 * the session's `sid`. So every replica computes the same value for the same session
 * without a lookup, and the unauthenticated value (django-oidc-provider's
 * OIDC_UNAUTHENTICATED_SESSION_MANAGEMENT_KEY, random per process by default there) is
 * identical on every replica and after restarts, with nothing to configure. It differs
 * per tenant, so tenants cannot be correlated through it.
 */
export function browserState(rt: Runtime, tenant: TenantContext, sid: string | null): string {
  return rt.envelope.hashSecret(sid ? `browser-state|${tenant.id}|session|${sid}` : `browser-state|${tenant.id}|anonymous`);
}

/**
 * Set-Cookie for the browser state of a session (it expires with the session), or one
 * that deletes it (`session` null: the iframe then falls back to the unauthenticated
 * value). Cross-site iframes can only read a SameSite=None cookie, which browsers accept
 * only with Secure; on plain http (development) it is Lax, which same-site RPs can read.
 */
export function browserStateCookie(
  rt: Runtime,
  tenant: TenantContext,
  session: Pick<LoginSessionRecord, 'sid' | 'expiresAt'> | null,
): string {
  const secure = secureCookies(tenant);
  const parts = [`${BROWSER_STATE_COOKIE}=${session ? browserState(rt, tenant, session.sid) : ''}`, `Path=${tenantCookiePath(tenant)}`];
  if (session) {
    parts.push(`Max-Age=${Math.max(0, Math.floor((new Date(session.expiresAt).getTime() - Date.now()) / 1000))}`);
  } else {
    parts.push('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  parts.push(secure ? 'SameSite=None' : 'SameSite=Lax');
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
