import { createUser, userClaims } from '../../services/users.js';
import type { MutationResolvers, UserResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

export const userMutations: MutationResolvers = {
  createUser: async (_p, { tenant: slug, input }, ctx) =>
    createUser(await tenantFor(ctx, slug), { username: input.username, password: input.password, claims: input.claims }),
};

export const User: UserResolvers = {
  id: (u) => u._id,
  claims: (u) => userClaims(u),
};
