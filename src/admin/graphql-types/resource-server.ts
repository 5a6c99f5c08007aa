import {
  createResourceServer,
  deleteResourceServer,
  resourceServerSnapshot,
  updateResourceServer,
} from '../../resources/resource-servers.js';
import type { ResourceServerInput } from '../../resources/resource-server-input.js';
import { NotFoundError } from '../../errors/domain-errors.js';
import { auditNote } from '../audit.js';
import { checkFirst, toConnection } from '../connection.js';
import type { AccessTokenFormat, MutationResolvers, ResourceServerResolvers, TenantResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

const format = (f: AccessTokenFormat | null | undefined) =>
  f === undefined ? undefined : f === null ? null : f === 'OPAQUE' ? 'opaque' : 'jwt';

/** GraphQL input → the domain's input: undefined keeps a field, null resets it. */
function domainInput(input: Record<string, unknown> & { accessTokenFormat?: AccessTokenFormat | null }): ResourceServerInput {
  return { ...(input as ResourceServerInput), accessTokenFormat: format(input.accessTokenFormat) };
}

export const resourceServerMutations: MutationResolvers = {
  createResourceServer: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'ResourceServer', targetId: input.identifier });
    const created = await createResourceServer(ctx.rt, tenant, domainInput(input));
    auditNote(ctx, { after: resourceServerSnapshot(created) });
    return created;
  },
  updateResourceServer: async (_p, { tenant: slug, identifier, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'ResourceServer', targetId: identifier });
    const changed = await updateResourceServer(ctx.rt, tenant, identifier, domainInput(input));
    if (!changed) throw new NotFoundError(`resource server "${identifier}"`);
    auditNote(ctx, { before: resourceServerSnapshot(changed.before), after: resourceServerSnapshot(changed.after) });
    return changed.after;
  },
  deleteResourceServer: async (_p, { tenant: slug, identifier }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'ResourceServer', targetId: identifier });
    const before = await deleteResourceServer(ctx.rt, tenant, identifier);
    if (before) auditNote(ctx, { before: resourceServerSnapshot(before) });
    return before !== null;
  },
};

export const TenantResourceServers: Pick<TenantResolvers, 'resourceServers' | 'resourceServer'> = {
  resourceServers: async (t, { first, after }, ctx) => {
    checkFirst(first);
    return toConnection(await ctx.rt.store.forTenant(t._id).resourceServers.list({ first, after }));
  },
  resourceServer: (t, { identifier }, ctx) => ctx.rt.store.forTenant(t._id).resourceServers.find(identifier),
};

export const ResourceServer: ResourceServerResolvers = {
  accessTokenFormat: (r) => (r.accessTokenFormat === 'opaque' ? 'OPAQUE' : 'JWT'),
};
