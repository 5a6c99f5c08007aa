import { revokeTenantKey, rotateTenantKeys } from '../../services/keys.js';
import type { MutationResolvers, SigningKeyResolvers } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

export const keyMutations: MutationResolvers = {
  rotateSigningKeys: async (_p, { tenant: slug }, ctx) => (await rotateTenantKeys(ctx.rt, await tenantFor(ctx, slug))).record,
  revokeSigningKey: async (_p, { tenant: slug, kid }, ctx) => (await revokeTenantKey(ctx.rt, await tenantFor(ctx, slug), kid)).record,
};

export const SigningKey: SigningKeyResolvers = {
  publicJwk: (k) => JSON.parse(k.publicJwk) as unknown,
  activatedAt: (k) => k.activatedAt ?? null,
  retiredAt: (k) => k.retiredAt ?? null,
  removeAfter: (k) => k.removeAfter ?? null,
  revokedAt: (k) => k.revokedAt ?? null,
};
