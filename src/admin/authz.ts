import { forbidden, serviceUnavailable, unauthenticated } from '../errors/admin-error.js';
import { limits } from '../config/defaults.js';
import { resolveAccessToken } from '../tokens/access-token-resolution.js';
import type { Runtime } from '../runtime.js';
import { isStoreUnavailable } from '../store/errors.js';

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
 * Authenticates a bearer token issued by the `system` tenant (docs/administering.md "Admin
 * API authentication"). The token goes through the same resolution as at userinfo and
 * introspection (tokens/access-token-resolution.ts): signature, issuer, type, expiry,
 * revocation (its jti, its client's cut-off from revokeTokens/deleteClient, its grant)
 * and a client that still exists; privileges come only from the scopes the client still
 * holds. Anything else is UNAUTHENTICATED.
 *
 * Fails closed: unless this process has confirmed the revocation state within the cache
 * sync interval (polling now if need be, for at most limits.adminRevocationConfirmMs),
 * the answer is SERVICE_UNAVAILABLE (503), never a stale yes.
 */
export async function authenticateAdmin(rt: Runtime, authorization: string | undefined): Promise<AdminPrincipal> {
  if (!authorization || !/^bearer /i.test(authorization)) throw unauthenticated();
  const token = authorization.slice(7).trim();
  try {
    const fresh = await rt.tenants.confirmFresh(rt.config.cacheSyncInterval * 1000, limits.adminRevocationConfirmMs);
    if (!fresh) throw serviceUnavailable('the revocation state of admin tokens cannot be confirmed, try again shortly');
    const system = await rt.tenants.get(SYSTEM_TENANT);
    if (!system) throw unauthenticated('the system tenant is not initialised');
    const found = await resolveAccessToken(rt, system, token, { client: true });
    // A token of the system tenant for another audience (token exchange, resource indicators) is not an admin token.
    if (!found || !found.token.audience.includes(system.issuer))
      throw unauthenticated('the admin token is not valid, has expired or was revoked');
    // /graphql takes bearer tokens only: a DPoP-bound token (RFC 9449 7.2) without its proof is no credential.
    if (found.token.jkt) throw unauthenticated('the admin token is DPoP-bound; /graphql accepts bearer tokens only');
    const scopes = found.heldScopes;
    const tenants = new Set(
      scopes.filter((s) => s.startsWith(TENANT_ADMIN_SCOPE_PREFIX)).map((s) => s.slice(TENANT_ADMIN_SCOPE_PREFIX.length)),
    );
    const platform = scopes.includes(PLATFORM_SCOPE);
    if (!platform && tenants.size === 0) {
      // A token that carried an admin scope its client lost is no admin credential any more.
      const carried = found.token.scopes.some((s) => s === PLATFORM_SCOPE || s.startsWith(TENANT_ADMIN_SCOPE_PREFIX));
      if (carried) throw unauthenticated('the admin token carries a scope its client no longer holds');
      throw forbidden('the token carries neither the admin scope nor a tenant-admin scope');
    }
    return { clientId: found.token.clientId, platform, tenants };
  } catch (err) {
    if (isStoreUnavailable(err)) throw serviceUnavailable();
    throw err;
  }
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
