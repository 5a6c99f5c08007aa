import { errors as joseErrors } from 'jose';
import { forbidden, unauthenticated } from '../errors/admin-error.js';
import { verifyOwnJwt } from '../keys/jwt.js';
import type { Runtime } from '../services/runtime.js';

export const SYSTEM_TENANT = 'system';
export const PLATFORM_SCOPE = 'admin';
export const TENANT_ADMIN_SCOPE_PREFIX = 'tenant-admin:';

/** Who is calling the admin API: a platform admin, or an admin of some tenants only. */
export interface AdminPrincipal {
  clientId: string;
  platform: boolean;
  /** Slugs a tenant-scoped admin may see and change. */
  tenants: ReadonlySet<string>;
}

/**
 * Authenticates a bearer token issued by the `system` tenant (DESIGN.md "Admin
 * authentication"). Anything but a valid admin token is UNAUTHENTICATED.
 */
export async function authenticateAdmin(rt: Runtime, authorization: string | undefined): Promise<AdminPrincipal> {
  if (!authorization || !/^bearer /i.test(authorization)) throw unauthenticated();
  const token = authorization.slice(7).trim();
  const system = await rt.tenants.get(SYSTEM_TENANT);
  if (!system) throw unauthenticated('the system tenant is not initialised');
  const ring = rt.keyRings.peek(system) ?? (await rt.keyRings.get(system));
  let payload;
  try {
    ({ payload } = await verifyOwnJwt(ring, token, { issuer: system.issuer, typ: 'at+jwt', audience: system.issuer }));
  } catch (err) {
    const expired = err instanceof joseErrors.JWTExpired;
    throw unauthenticated(expired ? 'the admin token has expired' : 'the admin token is not valid');
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const tenants = new Set(scopes.filter((s) => s.startsWith(TENANT_ADMIN_SCOPE_PREFIX)).map((s) => s.slice(TENANT_ADMIN_SCOPE_PREFIX.length)));
  const platform = scopes.includes(PLATFORM_SCOPE);
  if (!platform && tenants.size === 0) throw forbidden('the token carries neither the admin scope nor a tenant-admin scope');
  return { clientId: typeof payload.client_id === 'string' ? payload.client_id : String(payload.sub), platform, tenants };
}

/**
 * The single place tenant access is decided. The `system` tenant holds the admin
 * clients themselves, so only platform admins may touch it: a `tenant-admin:system`
 * scope would otherwise let its holder mint itself a platform-admin client.
 */
export function canAccessTenant(p: AdminPrincipal, slug: string): boolean {
  if (p.platform) return true;
  return slug !== SYSTEM_TENANT && p.tenants.has(slug);
}

/** Slugs a tenant-scoped admin may see, sorted; null for platform admins (every tenant). */
export function visibleTenantSlugs(p: AdminPrincipal): string[] | null {
  if (p.platform) return null;
  return [...p.tenants].filter((slug) => canAccessTenant(p, slug)).sort();
}

export function requireTenantAccess(p: AdminPrincipal, slug: string): void {
  if (!canAccessTenant(p, slug)) throw forbidden(`this token may not access tenant "${slug}"`);
}

export function requirePlatform(p: AdminPrincipal): void {
  if (!p.platform) throw forbidden('this operation needs a platform admin token (scope admin)');
}
