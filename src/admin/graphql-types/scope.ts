import { deleteScope, isStandardScope, setScope } from '../../claims/scopes.js';
import { auditNote } from '../audit.js';
import type { MutationResolvers, ScopeResolvers, TenantResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

export const scopeMutations: MutationResolvers = {
  setScope: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Scope', targetId: input.name });
    const { before, scope } = await setScope(ctx.rt, tenant, input);
    auditNote(ctx, { before, after: scope });
    return scope;
  },
  deleteScope: async (_p, { tenant: slug, name }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Scope', targetId: name });
    const { before } = await deleteScope(ctx.rt, tenant, name);
    auditNote(ctx, { before });
    return before !== null;
  },
};

export const TenantScopes: Pick<TenantResolvers, 'scopes'> = {
  scopes: (t) => t.scopes ?? [],
};

export const Scope: ScopeResolvers = {
  standard: (s) => isStandardScope(s.name),
};
