import { createClient, deleteClient, rotateClientSecret, updateClient } from '../../services/clients.js';
import type { ClientResolvers, MutationResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export const clientMutations: MutationResolvers = {
  createClient: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    const { clientId, ...rest } = input;
    const m = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, orUndefined(v)]));
    return createClient(ctx.rt, tenant, { ...m, name: input.name, clientType: input.clientType }, { clientId: orUndefined(clientId) });
  },
  updateClient: async (_p, { tenant: slug, clientId, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    const patch = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, orUndefined(v)]));
    return updateClient(ctx.rt, tenant, clientId, patch);
  },
  rotateClientSecret: async (_p, { tenant: slug, clientId }, ctx) => rotateClientSecret(ctx.rt, await tenantFor(ctx, slug), clientId),
  deleteClient: async (_p, { tenant: slug, clientId }, ctx) => deleteClient(ctx.rt, await tenantFor(ctx, slug), clientId),
};

export const Client: ClientResolvers = {
  secretRotatedAt: (c) => c.secretRotatedAt ?? null,
};
