import type { AuditEventFilter as StoreFilter } from '../../store/repos/audit-events.js';
import { visibleTenantSlugs } from '../authz.js';
import { checkFirst, toConnection } from '../connection.js';
import type { AuditEventFilter, AuditEventResolvers, QueryResolvers, TenantResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

const parse = (v: string | null): unknown => (v === null ? null : (JSON.parse(v) as unknown));

function storeFilter(f: AuditEventFilter | null | undefined): StoreFilter {
  return {
    operation: f?.operation ?? undefined,
    actorClientId: f?.actorClientId ?? undefined,
    targetId: f?.targetId ?? undefined,
    outcome: f?.outcome ?? undefined,
    since: f?.since ?? undefined,
    until: f?.until ?? undefined,
  };
}

export const auditQueries: QueryResolvers = {
  auditEvents: async (_p, { tenant: slug, first, after, filter }, ctx) => {
    checkFirst(first);
    const f = storeFilter(filter);
    if (slug) {
      const tenant = ctx.principal.platform ? await ctx.loaders.tenantBySlug.load(slug) : await tenantFor(ctx, slug);
      // Platform admins can still read the trail of a deleted tenant, by its slug.
      Object.assign(f, tenant ? { tenantRefs: [tenant.id] } : { tenantSlug: slug });
    } else {
      const visible = visibleTenantSlugs(ctx.principal);
      if (visible !== null) {
        const tenants = await ctx.loaders.tenantBySlug.loadMany(visible);
        f.tenantRefs = tenants.flatMap((t) => (t && !(t instanceof Error) ? [t.id] : []));
      }
    }
    return toConnection(await ctx.rt.store.auditEvents.list({ first, after }, f));
  },
};

export const TenantAuditEvents: Pick<TenantResolvers, 'auditEvents'> = {
  auditEvents: async (t, { first, after, filter }, ctx) => {
    checkFirst(first);
    return toConnection(await ctx.rt.store.auditEvents.list({ first, after }, { ...storeFilter(filter), tenantRefs: [t._id] }));
  },
};

export const AuditEvent: AuditEventResolvers = {
  id: (e) => e._id,
  actorPlatformAdmin: (e) => e.actorPlatform,
  tenant: (e) => e.tenantSlug,
  arguments: (e) => parse(e.arguments),
  before: (e) => parse(e.before),
  after: (e) => parse(e.after),
};
