import { visibleTenantSlugs } from '../authz.js';
import type { QueryResolvers, ViewerResolvers } from '../generated/resolvers-types.js';

export const viewerQueries: QueryResolvers = {
  viewer: (_p, _a, ctx) => ctx.principal,
};

export const Viewer: ViewerResolvers = {
  platformAdmin: (p) => p.platform,
  tenantSlugs: (p) => visibleTenantSlugs(p) ?? [],
};
