import { notFound } from '../errors/admin-error.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { auditNote } from './audit.js';
import { requireTenantAccess } from './authz.js';
import type { AdminContext } from './context.js';

/**
 * Resolves a tenant argument after checking the caller may touch it (FORBIDDEN before
 * NOT_FOUND, so a tenant-scoped admin learns nothing about other tenants). Every
 * operation that takes a tenant goes through here.
 */
export async function tenantFor(ctx: AdminContext, slug: string): Promise<TenantContext> {
  requireTenantAccess(ctx.principal, slug);
  const tenant = await ctx.loaders.tenantBySlug.load(slug);
  if (!tenant) throw notFound(`tenant "${slug}"`);
  auditNote(ctx, { tenant: { id: tenant.id, slug: tenant.slug } });
  return tenant;
}
