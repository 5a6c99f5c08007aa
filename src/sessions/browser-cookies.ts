import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Cookies the browser-facing parts (authorization endpoint and interaction pages) share.
 * Every cookie is scoped to the tenant's path, so a browser never sends tenant A's
 * cookies to tenant B (RFC 6265 path matching: `/t/a` does not match `/t/ab`).
 */
export const SESSION_COOKIE = 'gh_session';
/** Binds a pending interaction to the browser that started it (and keys its CSRF token). */
export const INTERACTION_COOKIE = 'gh_interaction';

/** Where the interaction pages live below the issuer: `{issuer}/interaction/{uid}`. */
export const INTERACTION_PATH = '/interaction';

export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie; undefined makes a browser-session cookie. */
  maxAge?: number;
  secure: boolean;
}

/** `{PUBLIC_URL path}/t/{slug}`: the path part of the issuer. */
export const tenantCookiePath = (tenant: TenantContext): string => new URL(tenant.issuer).pathname;

export const secureCookies = (tenant: TenantContext): boolean => tenant.issuer.startsWith('https:');

export function cookieOptions(tenant: TenantContext, subPath = '', maxAge?: number): CookieOptions {
  return { path: tenantCookiePath(tenant) + subPath, maxAge, secure: secureCookies(tenant) };
}

/** A Set-Cookie value: always HttpOnly and SameSite=Lax. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${opts.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`);
    if (opts.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * Every value the browser sent for `name` (several when cookies of the same name exist
 * at different paths). Values are our own base64url strings; anything else is ignored.
 */
export function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{16,128}$/.test(value)) out.push(value);
  }
  return out;
}

/** Adds a Set-Cookie header without dropping ones already set on the response. */
export function appendSetCookie(
  res: { getHeader(name: string): unknown; setHeader(name: string, value: string[]): unknown },
  cookie: string,
): void {
  const prev = res.getHeader('Set-Cookie');
  const list = Array.isArray(prev) ? (prev as string[]) : prev ? [String(prev as string | number)] : [];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
