import { revokeConsent, revokeTokens } from '../../tokens/token-revocation.js';
import { InputError } from '../../errors/domain-errors.js';
import type { AccessFilter } from '../../store/repos/access-admin.js';
import { auditNote } from '../audit.js';
import { checkFirst, toConnection } from '../connection.js';
import type { AdminContext } from '../context.js';
import type { ClientResolvers, ConsentResolvers, MutationResolvers, QueryResolvers, UserResolvers } from '../generated/resolvers-types.js';
import { tenantKey } from '../loaders.js';
import { tenantFor } from '../tenant-access.js';

async function listConsents(
  ctx: AdminContext,
  tenantId: string,
  filter: AccessFilter,
  first: number | null | undefined,
  after: string | null | undefined,
) {
  checkFirst(first);
  return toConnection(await ctx.rt.store.forTenant(tenantId).accessAdmin.listConsents({ first, after }, filter));
}

export const consentQueries: QueryResolvers = {
  consents: async (_p, { tenant: slug, userId, clientId, first, after }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    if (!userId && !clientId) throw new InputError('userId', 'give a userId, a clientId, or both');
    return listConsents(ctx, tenant.id, { userId: userId ?? undefined, clientId: clientId ?? undefined }, first, after);
  },
};

export const consentMutations: MutationResolvers = {
  revokeConsent: async (_p, { tenant: slug, userId, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Consent', targetId: `${userId}/${clientId}` });
    const { hadConsent, result } = await revokeConsent(tenant, userId, clientId);
    auditNote(ctx, { after: { revokedGrants: result.grants, revokedAccessTokens: result.accessTokens, deletedConsents: result.consents } });
    if (result.grants || result.accessTokens)
      ctx.rt.events.emit(tenant, {
        type: 'TOKEN_REVOKED',
        userId,
        clientId,
        data: { via: 'revokeConsent', grants: result.grants, accessTokens: result.accessTokens },
      });
    return hadConsent;
  },
  revokeTokens: async (_p, { tenant: slug, userId, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: userId ? 'User' : 'Client', targetId: [userId, clientId].filter(Boolean).join('/') || undefined });
    const result = await revokeTokens(tenant, { userId, clientId });
    auditNote(ctx, {
      after: {
        revokedGrants: result.grants,
        revokedAccessTokens: result.accessTokens,
        revokedBefore: result.revokedBefore?.toISOString() ?? null,
      },
    });
    if (result.grants || result.accessTokens || result.revokedBefore)
      ctx.rt.events.emit(tenant, {
        type: 'TOKEN_REVOKED',
        userId: userId ?? null,
        clientId: clientId ?? null,
        data: {
          via: 'revokeTokens',
          grants: result.grants,
          accessTokens: result.accessTokens,
          ...(result.revokedBefore ? { revokedBefore: result.revokedBefore.toISOString() } : {}),
        },
      });
    return { grants: result.grants, accessTokens: result.accessTokens, revokedBefore: result.revokedBefore };
  },
};

export const UserConsents: Pick<UserResolvers, 'consents'> = {
  consents: (u, { first, after }, ctx) => listConsents(ctx, u.tenantId, { userId: u._id }, first, after),
};

export const ClientConsents: Pick<ClientResolvers, 'consents'> = {
  consents: (c, { first, after }, ctx) => listConsents(ctx, c.tenantId, { clientId: c.clientId }, first, after),
};

export const Consent: ConsentResolvers = {
  user: (c, _a, ctx) => ctx.loaders.user.load(tenantKey(c.tenantId, c.userId)),
  client: (c, _a, ctx) => ctx.loaders.client.load(tenantKey(c.tenantId, c.clientId)),
  claims: (c) => {
    try {
      const v = JSON.parse(c.claims || '[]') as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  },
};
