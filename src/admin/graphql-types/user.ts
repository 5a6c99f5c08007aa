import { userSnapshot } from '../../events/audit.js';
import { revokeUserTokens } from '../../tokens/token-revocation.js';
import { deleteUser, setUserDisabled, setUserPassword, updateUser } from '../../users/user-admin.js';
import { createUser, userClaims } from '../../users/users.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { DEFAULT_PAGE } from '../../store/paging.js';
import { auditNote } from '../audit.js';
import { checkFirst, toConnection } from '../connection.js';
import type { AdminContext } from '../context.js';
import type { MutationResolvers, QueryResolvers, TenantResolvers, UserFilter, UserResolvers } from '../generated/resolvers-types.js';
import { tenantKey } from '../loaders.js';
import { tenantFor } from '../tenant-access.js';

async function listUsers(
  ctx: AdminContext,
  tenant: { id: string; store: TenantContext['store'] },
  first: number | null | undefined,
  after: string | null | undefined,
  filter: UserFilter | null | undefined,
) {
  checkFirst(first);
  const f = { usernamePrefix: filter?.usernamePrefix ?? undefined, email: filter?.email ?? undefined };
  if (!after && !f.usernamePrefix && !f.email)
    return toConnection(await ctx.loaders.firstUsers.load(tenantKey(tenant.id, String(first ?? DEFAULT_PAGE))));
  return toConnection(await tenant.store.users.list({ first, after }, f));
}

export const userQueries: QueryResolvers = {
  user: async (_p, { tenant: slug, id }, ctx) => ctx.loaders.user.load(tenantKey((await tenantFor(ctx, slug)).id, id)),
  users: async (_p, { tenant: slug, first, after, filter }, ctx) => listUsers(ctx, await tenantFor(ctx, slug), first, after, filter),
};

const target = (ctx: AdminContext, id: string) => auditNote(ctx, { targetType: 'User', targetId: id });

export const userMutations: MutationResolvers = {
  createUser: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'User' });
    const user = await createUser(tenant, { username: input.username, password: input.password, claims: input.claims });
    auditNote(ctx, { targetId: user._id, after: userSnapshot(user) });
    return user;
  },
  updateUser: async (_p, { tenant: slug, id, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    target(ctx, id);
    const { before, user } = await updateUser(tenant, id, { username: input.username, claims: input.claims === null ? {} : input.claims });
    auditNote(ctx, { before: userSnapshot(before), after: userSnapshot(user) });
    return user;
  },
  setUserPassword: async (_p, { tenant: slug, id, password }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    target(ctx, id);
    const user = await setUserPassword(tenant, id, password);
    auditNote(ctx, { after: { passwordChanged: true } });
    return user;
  },
  disableUser: async (_p, { tenant: slug, id }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    target(ctx, id);
    const { before, user } = await setUserDisabled(tenant, id, true);
    // A disabled user keeps nothing it could use: every grant and token goes now.
    await revokeUserTokens(tenant, { userId: id });
    auditNote(ctx, { before: userSnapshot(before), after: userSnapshot(user) });
    return user;
  },
  enableUser: async (_p, { tenant: slug, id }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    target(ctx, id);
    const { before, user } = await setUserDisabled(tenant, id, false);
    auditNote(ctx, { before: userSnapshot(before), after: userSnapshot(user) });
    return user;
  },
  deleteUser: async (_p, { tenant: slug, id }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    target(ctx, id);
    const before = await deleteUser(tenant, id);
    if (!before) return false;
    await revokeUserTokens(tenant, { userId: id, forgetConsents: true });
    auditNote(ctx, { before: userSnapshot(before) });
    return true;
  },
};

export const TenantUsers: Pick<TenantResolvers, 'users' | 'user'> = {
  users: async (t, { first, after, filter }, ctx) =>
    listUsers(ctx, { id: t._id, store: ctx.rt.store.forTenant(t._id) }, first, after, filter),
  user: (t, { id }, ctx) => ctx.loaders.user.load(tenantKey(t._id, id)),
};

export const User: UserResolvers = {
  id: (u) => u._id,
  claims: (u) => userClaims(u),
  email: (u) => u.email ?? null,
  tenant: async (u, _a, ctx) => (await ctx.loaders.tenantById.load(u.tenantId))!,
};
