import { initialAccessTokenSnapshot } from '../../events/audit.js';
import { createInitialAccessToken, revokeInitialAccessToken } from '../../clients/initial-access-tokens.js';
import { auditNote } from '../audit.js';
import { checkFirst, toConnection } from '../connection.js';
import type { InitialAccessTokenResolvers, MutationResolvers, TenantResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

export const initialAccessTokenMutations: MutationResolvers = {
  createInitialAccessToken: async (_p, { tenant: slug, expiresIn, singleUse }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'InitialAccessToken' });
    const { token, record } = await createInitialAccessToken(ctx.rt, tenant, { expiresIn, singleUse, createdBy: ctx.principal.clientId });
    auditNote(ctx, { targetId: record._id, after: initialAccessTokenSnapshot(record) });
    return token;
  },
  revokeInitialAccessToken: async (_p, { tenant: slug, id }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'InitialAccessToken', targetId: id });
    const { before, after } = await revokeInitialAccessToken(tenant, id);
    auditNote(ctx, { before: initialAccessTokenSnapshot(before), after: initialAccessTokenSnapshot(after) });
    return after;
  },
};

export const TenantInitialAccessTokens: Pick<TenantResolvers, 'initialAccessTokens'> = {
  initialAccessTokens: async (t, { first, after }, ctx) => {
    checkFirst(first);
    return toConnection(await ctx.rt.store.forTenant(t._id).initialAccessTokens.list({ first, after }));
  },
};

export const InitialAccessToken: InitialAccessTokenResolvers = {
  id: (t) => t._id,
  usedAt: (t) => t.usedAt ?? null,
  revokedAt: (t) => t.revokedAt ?? null,
  active: (t) => !t.revokedAt && new Date(t.expiresAt).getTime() > Date.now() && !(t.singleUse && t.usedAt),
};
