import { OAuthError } from '../../errors/oauth-error.js';
import type { ActiveSession } from '../../sessions/login-sessions.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/** The hidden form field of the confirmation form (the same name the interaction pages use). */
export const CSRF_FIELD = 'csrf_token';

/**
 * Bound to the session being ended: a keyed hash of the session record's id and of the
 * hash of its HttpOnly cookie. Another site can compute neither, and the token is dead
 * once the session is (a login in another tab makes an open confirmation page stale).
 */
const material = (tenant: TenantContext, session: ActiveSession): string =>
  `end-session|${tenant.id}|${session.record._id}|${session.record.cookieHash}`;

export function logoutCsrfToken(rt: Runtime, tenant: TenantContext, session: ActiveSession): string {
  return rt.envelope.hashSecret(material(tenant, session));
}

export function verifyLogoutCsrf(rt: Runtime, tenant: TenantContext, session: ActiveSession, sent: string | undefined): void {
  if (sent === undefined || !rt.envelope.verifySecret(material(tenant, session), sent)) {
    throw new OAuthError('invalid_request', 'the logout form was not submitted from this provider’s page, or it has expired', 403);
  }
}
