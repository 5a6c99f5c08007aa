import { availableCode, codeHook, codeResolver } from './code-resolvers.js';
import { coerce, CoercionError, templatePaths } from './mapping.js';
import { PROTECTED_CLAIMS } from './standard-claims.js';
import { extensionDefaults } from '../config/defaults.js';
import type { ClaimResolverDefinition, ClaimTarget, ClaimValueType, HookDefinition, HookPoint } from '../tenancy/tenant-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { InputError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';
import { changeTenantList, checkWebhookUrl } from '../tenancy/tenant-lists.js';

export const CLAIM_TARGETS: readonly ClaimTarget[] = ['ID_TOKEN', 'ACCESS_TOKEN', 'USERINFO'];
export const CLAIM_VALUE_TYPES: readonly ClaimValueType[] = ['STRING', 'BOOLEAN', 'NUMBER', 'ARRAY', 'OBJECT'];
export const HOOK_POINTS: readonly HookPoint[] = ['AFTER_LOGIN', 'ID_TOKEN_PROCESSING', 'SUB_GENERATOR', 'AFTER_END_SESSION'];
/** Where a resolver's claim goes when its targets are not given: like a user's stored claim. */
export const DEFAULT_TARGETS: readonly ClaimTarget[] = ['ID_TOKEN', 'USERINFO'];
const MAX_RESOLVERS = 100;
const CLAIM_NAME = /^[^\s\u0000-\u001f\u007f]{1,200}$/;

export interface ClaimResolverInput {
  name: string;
  kind: ClaimResolverDefinition['kind'];
  targets?: ClaimTarget[] | null;
  mapping?: { path?: string | null; template?: string | null; constant?: unknown; type?: ClaimValueType | null } | null;
  code?: string | null;
  webhook?: { url: string; timeoutMs?: number | null; cacheTtlSeconds?: number | null } | null;
}

export interface HookInput {
  point: HookPoint;
  kind: HookDefinition['kind'];
  code?: string | null;
  webhook?: { url: string; timeoutMs?: number | null } | null;
  failClosed?: boolean | null;
}

/** Whether named code is registered; without it (tenant files, checked off-server) names are not checked. */
export interface CodeCheck {
  slug: string;
}

const whole = (v: number, min: number, max: number, field: string, what: string): number => {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new InputError(field, `${what} must be a whole number from ${min} to ${max}`, 'invalid_request');
  return v;
};

function jsonType(v: unknown): ClaimValueType {
  if (Array.isArray(v)) return 'ARRAY';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'number') return 'NUMBER';
  if (typeof v === 'object') return 'OBJECT';
  return 'STRING';
}

function validateMapping(input: NonNullable<ClaimResolverInput['mapping']>): NonNullable<ClaimResolverDefinition['mapping']> {
  const given = (['path', 'template', 'constant'] as const).filter((k) => input[k] !== undefined && input[k] !== null);
  if (given.length !== 1) throw new InputError('mapping', 'give exactly one of path, template or constant', 'invalid_request');
  const type = input.type ?? undefined;
  if (type !== undefined && !CLAIM_VALUE_TYPES.includes(type))
    throw new InputError('mapping.type', `must be one of ${CLAIM_VALUE_TYPES.join(', ')}`, 'invalid_request');
  if (input.path !== undefined && input.path !== null) {
    const path = input.path.trim();
    if (!path || path.length > 200 || path.split('.').some((s) => !s))
      throw new InputError('mapping.path', 'must be a dotted path such as attributes.department', 'invalid_request');
    if (!type) throw new InputError('mapping.type', 'is required with a path: STRING, BOOLEAN, NUMBER, ARRAY or OBJECT', 'invalid_request');
    return { path, template: null, constant: null, type };
  }
  if (input.template !== undefined && input.template !== null) {
    const template = input.template;
    if (!template.trim() || template.length > 1000)
      throw new InputError('mapping.template', 'must be 1-1000 characters', 'invalid_request');
    const paths = templatePaths(template);
    if (!paths.length || paths.some((p) => !p || p.split('.').some((s) => !s))) {
      throw new InputError(
        'mapping.template',
        'must contain placeholders such as {given_name}; use {{ and }} for literal braces',
        'invalid_request',
      );
    }
    if (type && type !== 'STRING') throw new InputError('mapping.type', 'a template makes a STRING', 'invalid_request');
    return { path: null, template, constant: null, type: 'STRING' };
  }
  const constant = input.constant;
  const text = JSON.stringify(constant);
  if (text === undefined || text.length > 4096)
    throw new InputError('mapping.constant', 'must be a JSON value of at most 4096 characters', 'invalid_request');
  const t = type ?? jsonType(constant);
  try {
    coerce(constant, t);
  } catch (err) {
    if (err instanceof CoercionError) throw new InputError('mapping.constant', `${err.message} (type ${t})`, 'invalid_request');
    throw err;
  }
  return { path: null, template: null, constant: text, type: t };
}

/**
 * Checks a claim resolver definition. With `check`, a CODE resolver must name a
 * function registered for the tenant (code-resolvers.ts): configuring one that does not
 * exist is refused here rather than failing at every login.
 */
export function validateClaimResolver(input: ClaimResolverInput, check?: CodeCheck): ClaimResolverDefinition {
  const name = input.name.trim();
  if (!CLAIM_NAME.test(name)) throw new InputError('name', 'must be a claim name: 1-200 characters without spaces', 'invalid_request');
  if (PROTECTED_CLAIMS.has(name)) throw new InputError('name', `"${name}" is a protocol claim and cannot be resolved`, 'invalid_request');
  if (!['MAPPING', 'CODE', 'WEBHOOK'].includes(input.kind))
    throw new InputError('kind', 'must be MAPPING, CODE or WEBHOOK', 'invalid_request');
  const targets = [...new Set(input.targets ?? DEFAULT_TARGETS)];
  if (!targets.length) throw new InputError('targets', 'must name at least one of ID_TOKEN, ACCESS_TOKEN, USERINFO', 'invalid_request');
  for (const t of targets)
    if (!CLAIM_TARGETS.includes(t))
      throw new InputError('targets', `"${String(t)}" is not ID_TOKEN, ACCESS_TOKEN or USERINFO`, 'invalid_request');
  targets.sort((a, b) => CLAIM_TARGETS.indexOf(a) - CLAIM_TARGETS.indexOf(b));

  const other = (field: 'mapping' | 'code' | 'webhook') => {
    if (input[field] !== undefined && input[field] !== null)
      throw new InputError(field, `is only for kind ${field.toUpperCase()}`, 'invalid_request');
  };
  const def: ClaimResolverDefinition = { name, kind: input.kind, targets, mapping: null, code: null, webhook: null };
  if (input.kind === 'MAPPING') {
    other('code');
    other('webhook');
    if (!input.mapping) throw new InputError('mapping', 'is required for a MAPPING resolver', 'invalid_request');
    def.mapping = validateMapping(input.mapping);
  } else if (input.kind === 'CODE') {
    other('mapping');
    other('webhook');
    const code = input.code?.trim();
    if (!code) throw new InputError('code', 'names the registered code resolver', 'invalid_request');
    if (check && !codeResolver(check.slug, code)) {
      const known = availableCode(check.slug).claims;
      throw new InputError(
        'code',
        `no code resolver "${code}" is registered for this tenant (tenants/${check.slug}/resolvers.ts or tenants/shared/resolvers.ts); known: ${known.join(', ') || 'none'}`,
        'invalid_request',
      );
    }
    def.code = code;
  } else {
    other('mapping');
    other('code');
    if (!input.webhook) throw new InputError('webhook', 'is required for a WEBHOOK resolver', 'invalid_request');
    const problem = checkWebhookUrl(input.webhook.url);
    if (problem) throw new InputError('webhook.url', problem, 'invalid_request');
    def.webhook = {
      url: new URL(input.webhook.url).href,
      timeoutMs: whole(
        input.webhook.timeoutMs ?? extensionDefaults.claimWebhookTimeoutMs,
        100,
        10_000,
        'webhook.timeoutMs',
        'the timeout (ms)',
      ),
      cacheTtlSeconds: whole(
        input.webhook.cacheTtlSeconds ?? extensionDefaults.claimWebhookCacheSeconds,
        0,
        86_400,
        'webhook.cacheTtlSeconds',
        'the cache lifetime (s)',
      ),
    };
  }
  return def;
}

/** Checks a hook definition; with `check`, a CODE hook must be registered for its point. */
export function validateHook(input: HookInput, check?: CodeCheck): HookDefinition {
  if (!HOOK_POINTS.includes(input.point)) throw new InputError('point', `must be one of ${HOOK_POINTS.join(', ')}`, 'invalid_request');
  if (input.kind !== 'CODE' && input.kind !== 'WEBHOOK') throw new InputError('kind', 'must be CODE or WEBHOOK', 'invalid_request');
  if (input.failClosed && input.point !== 'AFTER_LOGIN')
    throw new InputError('failClosed', 'applies to AFTER_LOGIN hooks only', 'invalid_request');
  const def: HookDefinition = { point: input.point, kind: input.kind, code: null, webhook: null, failClosed: input.failClosed ?? false };
  if (input.kind === 'CODE') {
    if (input.webhook) throw new InputError('webhook', 'is only for kind WEBHOOK', 'invalid_request');
    const code = input.code?.trim();
    if (!code) throw new InputError('code', 'names the registered code hook', 'invalid_request');
    if (check && !codeHook(check.slug, input.point, code)) {
      const known = availableCode(check.slug).hooks[input.point];
      throw new InputError(
        'code',
        `no ${input.point} code hook "${code}" is registered for this tenant; known: ${known.join(', ') || 'none'}`,
        'invalid_request',
      );
    }
    def.code = code;
    return def;
  }
  // `sub` is computed synchronously wherever tokens are checked; it cannot wait for a network call.
  if (input.point === 'SUB_GENERATOR') throw new InputError('kind', 'a SUB_GENERATOR hook must be CODE', 'invalid_request');
  if (input.code) throw new InputError('code', 'is only for kind CODE', 'invalid_request');
  if (!input.webhook) throw new InputError('webhook', 'is required for a WEBHOOK hook', 'invalid_request');
  const problem = checkWebhookUrl(input.webhook.url);
  if (problem) throw new InputError('webhook.url', problem, 'invalid_request');
  def.webhook = {
    url: new URL(input.webhook.url).href,
    timeoutMs: whole(
      input.webhook.timeoutMs ?? extensionDefaults.claimWebhookTimeoutMs,
      100,
      10_000,
      'webhook.timeoutMs',
      'the timeout (ms)',
    ),
  };
  return def;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const tenantClaimResolvers = (tenant: TenantContext): ClaimResolverDefinition[] => tenant.record.claimResolvers ?? [];
export const tenantHooks = (tenant: TenantContext): HookDefinition[] => tenant.record.hooks ?? [];

/** Creates or replaces the resolver of one claim. */
export async function setClaimResolver(rt: Runtime, tenant: TenantContext, input: ClaimResolverInput) {
  const def = validateClaimResolver(input, { slug: tenant.slug });
  const { tenant: ctx, before } = await changeTenantList(rt, tenant, 'claimResolvers', (list) => {
    const rest = list.filter((r) => r.name !== def.name);
    if (rest.length >= MAX_RESOLVERS)
      throw new InputError('name', `a tenant has at most ${MAX_RESOLVERS} claim resolvers`, 'invalid_request');
    return [...rest, def].sort(byName);
  });
  return { tenant: ctx, before: before.find((r) => r.name === def.name) ?? null, resolver: def };
}

export async function deleteClaimResolver(rt: Runtime, tenant: TenantContext, name: string) {
  if (!tenantClaimResolvers(tenant).some((r) => r.name === name)) return { tenant, before: null };
  const { tenant: ctx, before } = await changeTenantList(rt, tenant, 'claimResolvers', (list) => list.filter((r) => r.name !== name));
  return { tenant: ctx, before: before.find((r) => r.name === name) ?? null };
}

/** Creates or replaces the tenant's hook at one point. */
export async function setHook(rt: Runtime, tenant: TenantContext, input: HookInput) {
  const def = validateHook(input, { slug: tenant.slug });
  const order = (h: HookDefinition) => HOOK_POINTS.indexOf(h.point);
  const { tenant: ctx, before } = await changeTenantList(rt, tenant, 'hooks', (list) =>
    [...list.filter((h) => h.point !== def.point), def].sort((a, b) => order(a) - order(b)),
  );
  return { tenant: ctx, before: before.find((h) => h.point === def.point) ?? null, hook: def };
}

export async function deleteHook(rt: Runtime, tenant: TenantContext, point: HookPoint) {
  if (!tenantHooks(tenant).some((h) => h.point === point)) return { tenant, before: null };
  const { tenant: ctx, before } = await changeTenantList(rt, tenant, 'hooks', (list) => list.filter((h) => h.point !== point));
  return { tenant: ctx, before: before.find((h) => h.point === point) ?? null };
}
