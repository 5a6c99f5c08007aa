import { tenantDefaults, type TenantSettings } from '../../config/defaults.js';
import { tenantSnapshot, clientSnapshot } from '../../events/audit.js';
import { resolveClientMetadata } from '../../clients/client-metadata.js';
import { createClient } from '../../clients/clients.js';
import { InputError } from '../../errors/domain-errors.js';
import { replaceScopes, validateScope } from '../../claims/scopes.js';
import { deleteTenant, updateTenant } from '../../tenancy/tenants.js';
import { createTenant } from '../../tenancy/tenant-creation.js';
import { createHash } from 'node:crypto';
import { redactSecrets } from '../../events/audit.js';
import type { TenantRecord } from '../../tenancy/tenant-record.js';
import { DEFAULT_PAGE, encodeCursor } from '../../store/paging.js';
import { auditNote } from '../audit.js';
import { requirePlatform, visibleTenantSlugs } from '../authz.js';
import { checkFirst, toConnection } from '../connection.js';
import type { MutationResolvers, QueryResolvers, TenantResolvers, TenantSettingsInput } from '../generated/resolvers-types.js';
import { tenantKey } from '../loaders.js';
import { tenantFor } from '../tenant-access.js';
import { clientInputParts } from './client.js';
import { crashPoint } from '../../tenancy/crash-points.js';

const SETTING_NAMES = Object.keys(tenantDefaults) as (keyof TenantSettings)[];

/** GraphQL settings input → settings to set, and (explicit nulls) settings to reset to the default. */
function settingsChange(input: TenantSettingsInput | null | undefined, extra: Partial<TenantSettings>) {
  const set: Record<string, unknown> = { ...extra };
  const reset: (keyof TenantSettings)[] = [];
  for (const [k, v] of Object.entries(input ?? {})) {
    if (v === null) reset.push(k as keyof TenantSettings);
    else if (v !== undefined) set[k] = v;
  }
  return { set: set as Partial<TenantSettings>, reset };
}

/** Re-reports an input error of one element of a list input under its path (clients[2].redirectUris). */
async function underPath<T>(path: string, op: () => T | Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${path}.${err.field}`, err.message, err.oauthCode);
    throw err;
  }
}

export const tenantQueries: QueryResolvers = {
  tenant: async (_p, { slug }, ctx) => {
    try {
      return (await tenantFor(ctx, slug)).record;
    } catch (err) {
      if ((err as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
      throw err;
    }
  },
  tenants: async (_p, { first, after, filter }, ctx) => {
    checkFirst(first);
    const visible = visibleTenantSlugs(ctx.principal);
    if (visible === null) {
      const page = await ctx.rt.store.tenants.list(
        { first, after },
        { slugPrefix: filter?.slugPrefix ?? undefined, search: filter?.search ?? undefined },
      );
      for (const t of page.items) ctx.loaders.tenantById.prime(t._id, t);
      return toConnection(page);
    }
    // A tenant-scoped admin sees exactly its own tenants (a handful: paged in memory).
    const records: TenantRecord[] = [];
    for (const t of await ctx.loaders.tenantBySlug.loadMany(visible)) {
      if (!t || t instanceof Error) continue;
      if (filter?.slugPrefix && !t.slug.startsWith(filter.slugPrefix)) continue;
      if (filter?.search && !t.record.displayName.toLowerCase().includes(filter.search.toLowerCase())) continue;
      records.push(t.record);
    }
    const start = after ? records.findIndex((r) => encodeCursor(r.slug) === after) + 1 : 0;
    const n = first ?? DEFAULT_PAGE;
    const items = records.slice(start, start + n);
    return toConnection({ items, hasNextPage: start + n < records.length, cursorOf: (r) => encodeCursor(r.slug) });
  },
  defaultTenantSettings: () => ({ ...tenantDefaults }),
};

export const tenantMutations: MutationResolvers = {
  createTenant: async (_p, { input }, ctx) => {
    requirePlatform(ctx.principal);
    auditNote(ctx, { tenant: { id: null, slug: input.slug }, targetType: 'Tenant', targetId: input.slug });
    const extra: Partial<TenantSettings> = {};
    if (input.signingAlg) extra.signingAlg = input.signingAlg as TenantSettings['signingAlg'];
    if (input.dynamicRegistration) extra.dynamicRegistration = input.dynamicRegistration;
    if (input.keyFamilies) extra.keyFamilies = input.keyFamilies;
    const { set } = settingsChange(input.settings, extra);
    // Everything is validated before anything is created: a bad client leaves no tenant behind.
    const scopes = await Promise.all((input.scopes ?? []).map((s, i) => underPath(`scopes[${i}]`, () => validateScope(s))));
    const clients = await Promise.all(
      (input.clients ?? []).map((c, i) =>
        underPath(`clients[${i}]`, () => {
          const parts = clientInputParts(c);
          const allowed = set.allowedGrantTypes ?? tenantDefaults.allowedGrantTypes;
          const m = resolveClientMetadata({ ...parts.fields, name: c.name, clientType: c.clientType });
          const refused = m.grantTypes.filter((g) => !allowed.includes(g));
          if (refused.length) throw new InputError('grantTypes', `the tenant does not allow: ${refused.join(', ')}`);
          return parts;
        }),
      ),
    );
    // Everything below runs while the tenant is PENDING (invisible); it goes live last, or
    // a retry of this same input (the fingerprint) clears what a crash left and starts again.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(redactSecrets(input)))
      .digest('base64url');
    const created: Awaited<ReturnType<typeof createClient>>[] = [];
    const tenant = await createTenant(
      ctx.rt,
      { slug: input.slug, displayName: input.displayName, branding: input.branding ?? null, settings: set },
      {
        fingerprint,
        populate: async (pending, keepAlive) => {
          auditNote(ctx, { tenant: { id: pending.id, slug: pending.slug } });
          let t = pending;
          if (scopes.length) t = await replaceScopes(ctx.rt, t, scopes);
          crashPoint('createTenant:scopes');
          for (const [i, parts] of clients.entries()) {
            const c = input.clients![i]!;
            const made = await underPath(`clients[${i}]`, () =>
              createClient(
                ctx.rt,
                t,
                { ...parts.fields, name: c.name, clientType: c.clientType },
                { clientId: parts.clientId, metadata: parts.metadata, policies: parts.policies },
              ),
            );
            created.push(made);
            crashPoint(`createTenant:client${i + 1}`);
            await keepAlive();
            const record = await ctx.rt.store.tenants.findAnyBySlug(t.slug);
            if (record && record._id === t.id) t = ctx.rt.tenants.install(record);
          }
          return t;
        },
      },
    );
    auditNote(ctx, { after: { ...tenantSnapshot(tenant.record), clients: created.map((c) => clientSnapshot(c.client)) } });
    return { tenant: tenant.record, clients: created };
  },
  updateTenant: async (_p, { slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    const extra: Partial<TenantSettings> = {};
    if (input.signingAlg) extra.signingAlg = input.signingAlg as TenantSettings['signingAlg'];
    if (input.dynamicRegistration) extra.dynamicRegistration = input.dynamicRegistration;
    if (input.keyFamilies) extra.keyFamilies = input.keyFamilies;
    const { set, reset } = settingsChange(input.settings, extra);
    const updated = await updateTenant(ctx.rt, tenant, {
      displayName: input.displayName,
      // Omitted keeps the branding; an explicit null clears it.
      branding: input.branding === undefined ? undefined : (input.branding ?? {}),
      settings: set,
      resetSettings: reset,
    });
    auditNote(ctx, { targetType: 'Tenant', targetId: slug, before: tenantSnapshot(tenant.record), after: tenantSnapshot(updated.record) });
    return updated.record;
  },
  deleteTenant: async (_p, { slug }, ctx) => {
    requirePlatform(ctx.principal);
    auditNote(ctx, { targetType: 'Tenant', targetId: slug });
    const tenant = await ctx.loaders.tenantBySlug.load(slug);
    if (!tenant) return false;
    auditNote(ctx, { tenant: { id: tenant.id, slug }, before: tenantSnapshot(tenant.record) });
    await deleteTenant(ctx.rt, tenant);
    return true;
  },
};

export const Tenant: TenantResolvers = {
  issuer: (t, _a, ctx) => `${ctx.rt.config.publicUrl}/t/${t.slug}`,
  discoveryUrl: (t, _a, ctx) => `${ctx.rt.config.publicUrl}/t/${t.slug}/.well-known/openid-configuration`,
  branding: (t) => ({ logoUrl: t.branding?.logoUrl ?? null, primaryColor: t.branding?.primaryColor ?? null }),
  settings: (t) => ({ ...tenantDefaults, ...t.settings }),
  keyFamilies: (t) => t.settings?.keyFamilies ?? tenantDefaults.keyFamilies,
  overriddenSettings: (t) => SETTING_NAMES.filter((k) => t.settings && k in t.settings),
  clients: async (t, { first, after }, ctx) => {
    checkFirst(first);
    // First pages of many tenants are batched into one query; later pages are one query each.
    if (!after) return toConnection(await ctx.loaders.firstClients.load(tenantKey(t._id, String(first ?? DEFAULT_PAGE))));
    return toConnection(await ctx.rt.store.forTenant(t._id).clients.list({ first, after }));
  },
  client: (t, { clientId }, ctx) => ctx.loaders.client.load(tenantKey(t._id, clientId)),
  signingKeys: async (t, _a, ctx) => {
    const cached = ctx.rt.tenants.peek(t.slug);
    const ring = cached && cached.id === t._id ? ctx.rt.keyRings.peek(cached) : undefined;
    return ring ? ring.records : ctx.loaders.signingKeys.load(t._id);
  },
};
