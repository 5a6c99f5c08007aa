import { availableCode } from '../../claims/code-resolvers.js';
import {
  deleteClaimResolver,
  deleteHook,
  setClaimResolver,
  setHook,
  tenantClaimResolvers,
  tenantHooks,
} from '../../claims/claim-resolvers.js';
import { previewClaims } from '../../claims/claims-preview.js';
import { InputError } from '../../errors/domain-errors.js';
import { auditNote } from '../audit.js';
import type {
  ClaimMappingResolvers,
  HookResolvers,
  MutationResolvers,
  QueryResolvers,
  TenantResolvers,
} from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `claims` argument of previewClaims: a claims request parameter ({id_token, userinfo}). */
function claimsRequest(v: unknown) {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new InputError('claims', 'must be an object with id_token and/or userinfo members', 'invalid_request');
  const member = (name: 'id_token' | 'userinfo') => {
    const m = v[name];
    if (m === undefined || m === null) return null;
    if (!isObject(m)) throw new InputError(`claims.${name}`, 'must be an object of claim names', 'invalid_request');
    return m;
  };
  return { id_token: member('id_token'), userinfo: member('userinfo') };
}

export const claimResolverQueries: QueryResolvers = {
  previewClaims: async (_p, { tenant: slug, userId, clientId, scopes, responseType, claims }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    return previewClaims(ctx.rt, tenant, { userId, clientId, scopes, responseType, claims: claimsRequest(claims) });
  },
};

export const claimResolverMutations: MutationResolvers = {
  setClaimResolver: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'ClaimResolver', targetId: input.name });
    const { before, resolver } = await setClaimResolver(ctx.rt, tenant, input);
    auditNote(ctx, { before, after: resolver });
    return resolver;
  },
  deleteClaimResolver: async (_p, { tenant: slug, name }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'ClaimResolver', targetId: name });
    const { before } = await deleteClaimResolver(ctx.rt, tenant, name);
    auditNote(ctx, { before });
    return before !== null;
  },
  setHook: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Hook', targetId: input.point });
    const { before, hook } = await setHook(ctx.rt, tenant, input);
    auditNote(ctx, { before, after: hook });
    return hook;
  },
  deleteHook: async (_p, { tenant: slug, point }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Hook', targetId: point });
    const { before } = await deleteHook(ctx.rt, tenant, point);
    auditNote(ctx, { before });
    return before !== null;
  },
};

export const TenantClaimResolvers: Pick<TenantResolvers, 'claimResolvers' | 'hooks' | 'availableCode'> = {
  claimResolvers: (t, _a, ctx) => {
    const cached = ctx.rt.tenants.peek(t.slug);
    return cached && cached.id === t._id ? tenantClaimResolvers(cached) : (t.claimResolvers ?? []);
  },
  hooks: (t, _a, ctx) => {
    const cached = ctx.rt.tenants.peek(t.slug);
    return cached && cached.id === t._id ? tenantHooks(cached) : (t.hooks ?? []);
  },
  availableCode: (t) => {
    const a = availableCode(t.slug);
    return {
      claims: a.claims,
      afterLogin: a.hooks.AFTER_LOGIN,
      idTokenProcessing: a.hooks.ID_TOKEN_PROCESSING,
      subGenerator: a.hooks.SUB_GENERATOR,
      afterEndSession: a.hooks.AFTER_END_SESSION,
    };
  },
};

export const ClaimMapping: ClaimMappingResolvers = {
  constant: (m) => (m.constant === undefined || m.constant === null ? null : (JSON.parse(m.constant) as unknown)),
};

export const Hook: HookResolvers = {
  failClosed: (h) => h.failClosed ?? false,
};
