import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { DEVICE_PAGE_PATH } from '../../device-authorizations/device-flow.js';
import { appendSetCookie, cookieOptions, readCookies, serializeCookie } from '../../sessions/browser-cookies.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { CSRF_FIELD } from '../csrf.js';
import { csrfRefused } from '../interaction-error.js';

/**
 * The code-entry form exists before any interaction does, so its CSRF token is keyed by a
 * cookie of its own (HttpOnly, SameSite=Lax, path `{issuer}/device`): another site can
 * neither read the cookie nor compute the token from it.
 */
const DEVICE_COOKIE = 'gh_device';
const COOKIE_TTL = 60 * 60;

/** The form's token; sets the cookie when the browser has none yet. */
export function deviceCsrfToken(rt: Runtime, tenant: TenantContext, req: Request, res: Response): string {
  let secret = readCookies(req.headers.cookie, DEVICE_COOKIE)[0];
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    appendSetCookie(res, serializeCookie(DEVICE_COOKIE, secret, cookieOptions(tenant, DEVICE_PAGE_PATH, COOKIE_TTL)));
  }
  return rt.envelope.hashSecret(`device-csrf|${secret}`);
}

export function verifyDeviceCsrf(rt: Runtime, req: Request): void {
  const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  const ok =
    typeof sent === 'string' &&
    readCookies(req.headers.cookie, DEVICE_COOKIE).some((s) => rt.envelope.verifySecret(`device-csrf|${s}`, sent));
  if (!ok) throw csrfRefused();
}
