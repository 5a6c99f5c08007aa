import { keysSnapshot } from '../../events/audit.js';
import { revokeTenantKey, rotateTenantKeys } from '../../keys/tenant-keys.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { auditNote } from '../audit.js';
import type { AdminContext } from '../context.js';
import type { MutationResolvers, SigningKeyResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

const keysOf = async (ctx: AdminContext, tenant: TenantContext) => keysSnapshot((await ctx.rt.keyRings.get(tenant)).records);

export const keyMutations: MutationResolvers = {
  rotateSigningKeys: async (_p, { tenant: slug }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'SigningKey', targetId: slug, before: await keysOf(ctx, tenant) });
    const after = await rotateTenantKeys(ctx.rt, tenant);
    auditNote(ctx, { after: await keysOf(ctx, after) });
    return after.record;
  },
  revokeSigningKey: async (_p, { tenant: slug, kid }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'SigningKey', targetId: kid, before: await keysOf(ctx, tenant) });
    const after = await revokeTenantKey(ctx.rt, tenant, kid);
    auditNote(ctx, { after: await keysOf(ctx, after) });
    return after.record;
  },
};

export const SigningKey: SigningKeyResolvers = {
  publicJwk: (k) => JSON.parse(k.publicJwk) as unknown,
  activatedAt: (k) => k.activatedAt ?? null,
  retiredAt: (k) => k.retiredAt ?? null,
  removeAfter: (k) => k.removeAfter ?? null,
  revokedAt: (k) => k.revokedAt ?? null,
};
