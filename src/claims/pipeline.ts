import { LRUCache } from 'lru-cache';
import { extensionDefaults } from '../config/defaults.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { ClaimResolverDefinition, ClaimTarget } from '../tenancy/tenant-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';
import { codeResolver, resolverClient, resolverTenant, resolverUser } from './code-resolvers.js';
import { claimResolverFailures } from './extension-metrics.js';
import { CoercionError, mappedValue } from './mapping.js';
import { callTenantWebhook, WebhookFailure } from './outbound-webhook.js';
import { PROTECTED_CLAIMS, standardScopeClaims, standardUserClaims, type ScopeClaimMap } from './standard-claims.js';
import { isEmpty, storedClaims, type RequestedClaims } from './user-claims.js';
import { withTimeout } from './with-timeout.js';

/**
 * The one place that decides which user claims go where, for every tenant: the ID
 * token, the access token and userinfo all ask `resolveUserClaims`, and so does the
 * admin API's previewClaims, so what an admin previews is what users get.
 *
 * Which claims: those of the granted scopes (the standard scope→claims map of OIDC Core
 * 5.4 extended by the tenant's scope definitions) and those asked for one by one with
 * the `claims` request parameter (OIDC Core 5.5).
 * Their values: a claim with a resolver gets the resolver's value, in the places the
 * resolver targets only; any other claim the user's stored value (never in access
 * tokens). Empty values are left out, as django-oidc-provider does.
 */

/** A claim that could not be resolved; reported to the caller (previewClaims lists them). */
export interface ClaimFailure {
  claim: string;
  kind: ClaimResolverDefinition['kind'];
  reason: string;
  message: string;
}

export interface ClaimsRequestInput {
  user: UserRecord;
  client: ClientRecord;
  /** Granted scopes. */
  scopes: readonly string[];
  target: ClaimTarget;
  /** The `claims` parameter's member for this target (id_token or userinfo). */
  requested?: RequestedClaims | null;
  /**
   * ID token only: whether claims of the scopes without a resolver go in. OIDC Core 5.4
   * puts them in the ID token only when no access token is issued (response_type=id_token);
   * claims with a resolver targeting ID_TOKEN always go in.
   */
  scopeClaims?: boolean;
  /** The user's `sub` for this client (sent to webhooks). */
  sub: string;
  /** Called for each failed resolver (besides logging, counting and the event). */
  onFailure?: (f: ClaimFailure) => void;
  /** Marks events of an admin preview. */
  preview?: boolean;
}

interface TenantClaimConfig {
  scopeClaims: ScopeClaimMap;
  resolvers: Map<string, ClaimResolverDefinition>;
  requestable: Set<string>;
}

const configs = new WeakMap<TenantContext, TenantClaimConfig>();

/** Derived once per tenant revision (a new context object comes with every change). */
function claimConfig(tenant: TenantContext): TenantClaimConfig {
  let c = configs.get(tenant);
  if (c) return c;
  const scopeClaims: Record<string, readonly string[]> = { ...standardScopeClaims };
  for (const def of tenant.record.scopes ?? []) {
    scopeClaims[def.name] = [...new Set([...(standardScopeClaims[def.name] ?? []), ...def.claims])];
  }
  const resolvers = new Map((tenant.record.claimResolvers ?? []).map((r) => [r.name, r]));
  const requestable = new Set([...standardUserClaims, ...Object.values(scopeClaims).flat(), ...resolvers.keys()]);
  c = { scopeClaims, resolvers, requestable };
  configs.set(tenant, c);
  return c;
}

/** The tenant's scope → claims map: the standard one, extended and added to by its scope definitions. */
export const tenantScopeClaims = (tenant: TenantContext): ScopeClaimMap => claimConfig(tenant).scopeClaims;

/** Claims a `claims` request parameter may ask for at this tenant. */
export const requestableClaims = (tenant: TenantContext): ReadonlySet<string> => claimConfig(tenant).requestable;

/** Names of the claims a request releases at a target, in a stable order. */
export function releasedClaimNames(
  tenant: TenantContext,
  input: Pick<ClaimsRequestInput, 'scopes' | 'target' | 'requested' | 'scopeClaims'>,
): string[] {
  const { scopeClaims, resolvers, requestable } = claimConfig(tenant);
  const names = new Set<string>();
  const consider = (name: string, byScope: boolean) => {
    if (PROTECTED_CLAIMS.has(name)) return;
    const r = resolvers.get(name);
    if (r) {
      if (r.targets.includes(input.target)) names.add(name);
      return;
    }
    if (input.target === 'ACCESS_TOKEN') return;
    if (input.target === 'ID_TOKEN' && byScope && input.scopeClaims === false) return;
    names.add(name);
  };
  for (const scope of input.scopes) for (const c of scopeClaims[scope] ?? []) consider(c, true);
  for (const c of Object.keys(input.requested ?? {})) if (requestable.has(c)) consider(c, false);
  return [...names];
}

/** The user claims of one target, empty values dropped. Never throws for a failing resolver. */
export async function resolveUserClaims(rt: Runtime, tenant: TenantContext, input: ClaimsRequestInput): Promise<Record<string, unknown>> {
  const names = releasedClaimNames(tenant, input);
  if (!names.length) return {};
  const { resolvers } = claimConfig(tenant);
  const stored = storedClaims(input.user);
  const values = await Promise.all(
    names.map(async (name) => {
      const def = resolvers.get(name);
      if (!def) return stored[name];
      try {
        return await resolverValue(rt, tenant, def, stored, input);
      } catch (err) {
        reportFailure(rt, tenant, def, err, input);
        return undefined;
      }
    }),
  );
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const v = values[i];
    if (!isEmpty(v)) out[name] = isPlainObject(v) ? compact(v) : v;
  });
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Members of an object claim (e.g. address) that are empty say nothing either. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => !isEmpty(v)));
}

async function resolverValue(
  rt: Runtime,
  tenant: TenantContext,
  def: ClaimResolverDefinition,
  stored: Record<string, unknown>,
  input: ClaimsRequestInput,
): Promise<unknown> {
  switch (def.kind) {
    case 'MAPPING':
      return mappedValue(def, stored);
    case 'CODE': {
      const fn = def.code ? codeResolver(tenant.slug, def.code) : undefined;
      if (!fn) throw new ResolverError('unknown_code', `no code resolver "${def.code}" is registered`);
      const [user, client, tenantView] = [resolverUser(input.user, stored), resolverClient(input.client), resolverTenant(tenant)];
      const work = Promise.resolve().then(() => fn(user, client, [...input.scopes], tenantView));
      return withTimeout(work, extensionDefaults.codeTimeoutMs, `code resolver "${def.code}"`);
    }
    case 'WEBHOOK':
      return webhookValue(rt, tenant, def, input);
  }
}

class ResolverError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Answers of claim webhooks, per tenant, URL, claim, user, client and scopes, for the resolver's cacheTtlSeconds. */
const webhookCache = new LRUCache<string, { value: unknown }>({ max: 10_000 });
/** Calls in flight: the ID token and the access token of one response ask once. */
const inflight = new Map<string, Promise<unknown>>();

async function webhookValue(rt: Runtime, tenant: TenantContext, def: ClaimResolverDefinition, input: ClaimsRequestInput): Promise<unknown> {
  const hook = def.webhook!;
  const scopes = [...input.scopes].sort();
  const key = [tenant.id, hook.url, def.name, input.user._id, input.client.clientId, scopes.join(' ')].join('\n');
  const hit = webhookCache.get(key);
  if (hit) return hit.value;
  let pending = inflight.get(key);
  if (!pending) {
    pending = (async () => {
      const answer = await callTenantWebhook(rt, tenant, {
        url: hook.url,
        timeoutMs: hook.timeoutMs,
        sub: input.sub,
        clientId: input.client.clientId,
        purpose: 'claim',
        body: {
          claim: def.name,
          sub: input.sub,
          user_id: input.user._id,
          username: input.user.username,
          client_id: input.client.clientId,
          scopes,
          tenant: tenant.slug,
        },
      });
      if (!Object.prototype.hasOwnProperty.call(answer, 'value')) throw new WebhookFailure('bad_shape', 'the answer has no "value" member');
      if (hook.cacheTtlSeconds > 0) webhookCache.set(key, { value: answer.value }, { ttl: hook.cacheTtlSeconds * 1000 });
      return answer.value;
    })().finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

function reportFailure(rt: Runtime, tenant: TenantContext, def: ClaimResolverDefinition, err: unknown, input: ClaimsRequestInput): void {
  const reason =
    err instanceof WebhookFailure || err instanceof ResolverError
      ? err.reason
      : err instanceof CoercionError
        ? 'coercion'
        : (err as Error)?.name === 'TimeoutError'
          ? 'timeout'
          : 'error';
  const message = (err as Error)?.message ?? String(err);
  claimResolverFailures.inc({ kind: def.kind, reason });
  rt.log.warn(
    { tenant: tenant.slug, claim: def.name, kind: def.kind, reason, err: err instanceof Error ? err.message : err },
    'claim resolver failed; the claim is left out',
  );
  rt.events.emit(tenant, {
    type: 'CLAIM_RESOLVER_FAILED',
    userId: input.user._id,
    clientId: input.client.clientId,
    data: {
      claim: def.name,
      kind: def.kind,
      reason,
      message: message.slice(0, 300),
      target: input.target,
      ...(def.webhook ? { url: def.webhook.url } : {}),
      ...(def.code ? { code: def.code } : {}),
      ...(input.preview ? { preview: true } : {}),
    },
  });
  input.onFailure?.({ claim: def.name, kind: def.kind, reason, message });
}
