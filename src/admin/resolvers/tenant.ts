import { tenantDefaults } from '../../config/defaults.js';
import type { TenantSettings } from '../../config/defaults.js';
import { InputError } from '../../services/errors.js';
import { createTenant, deleteTenant, updateTenant } from '../../services/tenants.js';
import type { TenantRecord } from '../../store/models/tenant.js';
import { encodeCursor } from '../../store/paging.js';
import { requirePlatform } from '../authz.js';
import { toConnection } from '../connection.js';
import type { MutationResolvers, QueryResolvers, TenantResolvers, TenantSettingsInput } from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

const settingsFrom = (input: TenantSettingsInput | null | undefined, extra: Partial<TenantSettings>): Partial<TenantSettings> => {
  const out: Record<string, unknown> = { ...extra };
  for (const [k, v] of Object.entries(input ?? {})) if (v !== null && v !== undefined) out[k] = v;
  return out as Partial<TenantSettings>;
};

const pageSize = (first: number | null | undefined): void => {
  if (first != null && (first < 0 || first > 100)) throw new InputError('first', 'must be between 0 and 100');
};

export const tenantQueries: QueryResolvers = {
  tenant: async (_p, { slug }, ctx) => (await tenantFor(ctx, slug)).record,
  tenants: async (_p, { first, after, filter }, ctx) => {
    pageSize(first);
    if (ctx.principal.platform) {
      return toConnection(await ctx.rt.store.tenants.list({ first, after }, { slugPrefix: filter?.slugPrefix ?? undefined, search: filter?.search ?? undefined }));
    }
    // A tenant-scoped admin sees exactly its own tenants.
    const records: TenantRecord[] = [];
    for (const slug of [...ctx.principal.tenants].sort()) {
      const t = await ctx.loaders.tenantBySlug.load(slug);
      if (t && (!filter?.slugPrefix || slug.startsWith(filter.slugPrefix))) records.push(t.record);
    }
    const start = after ? records.findIndex((r) => encodeCursor(r.slug) === after) + 1 : 0;
    const n = first ?? 20;
    const items = records.slice(start, start + n);
    return toConnection({ items, hasNextPage: start + n < records.length, cursorOf: (r) => encodeCursor(r.slug) });
  },
};

export const tenantMutations: MutationResolvers = {
  createTenant: async (_p, { input }, ctx) => {
    requirePlatform(ctx.principal);
    const extra: Partial<TenantSettings> = {};
    if (input.signingAlg) extra.signingAlg = input.signingAlg as TenantSettings['signingAlg'];
    if (input.dynamicRegistration) extra.dynamicRegistration = input.dynamicRegistration;
    const tenant = await createTenant(ctx.rt, {
      slug: input.slug,
      displayName: input.displayName,
      branding: input.branding ?? null,
      settings: settingsFrom(input.settings, extra),
    });
    return { tenant: tenant.record };
  },
  updateTenant: async (_p, { slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    const extra: Partial<TenantSettings> = {};
    if (input.signingAlg) extra.signingAlg = input.signingAlg as TenantSettings['signingAlg'];
    if (input.dynamicRegistration) extra.dynamicRegistration = input.dynamicRegistration;
    const updated = await updateTenant(ctx.rt, tenant, {
      displayName: input.displayName,
      branding: input.branding,
      settings: settingsFrom(input.settings, extra),
    });
    return updated.record;
  },
  deleteTenant: async (_p, { slug }, ctx) => {
    requirePlatform(ctx.principal);
    const tenant = await ctx.loaders.tenantBySlug.load(slug);
    if (!tenant) return false;
    await deleteTenant(ctx.rt, tenant);
    return true;
  },
};

export const Tenant: TenantResolvers = {
  issuer: (t, _a, ctx) => `${ctx.rt.config.publicUrl}/t/${t.slug}`,
  discoveryUrl: (t, _a, ctx) => `${ctx.rt.config.publicUrl}/t/${t.slug}/.well-known/openid-configuration`,
  branding: (t) => ({ logoUrl: t.branding?.logoUrl ?? null, primaryColor: t.branding?.primaryColor ?? null }),
  settings: (t) => ({ ...tenantDefaults, ...t.settings }),
  clients: async (t, { first, after }, ctx) => {
    pageSize(first);
    return toConnection(await ctx.rt.store.forTenant(t._id).clients.list({ first, after }));
  },
  signingKeys: async (t, _a, ctx) => {
    // The registry, not the request's loader: after a key mutation in this request the
    // loader still holds the context from before the change.
    const tenant = await ctx.rt.tenants.get(t.slug);
    if (!tenant) return [];
    const ring = await ctx.rt.keyRings.get(tenant);
    return ring.records;
  },
};
