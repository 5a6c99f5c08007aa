import type { ScopeDefinition } from '../tenancy/tenant-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { STANDARD_SCOPES } from '../clients/client-metadata.js';
import { InputError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';
import { changeTenantList } from '../tenancy/tenant-lists.js';

/** scope-token of RFC 6749 section 3.3. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;

export interface ScopeInput {
  name: string;
  displayName?: string | null;
  description?: string | null;
  claims?: string[] | null;
}

/** The tenant's scope definitions (from the cached context: no database read). */
export const tenantScopes = (tenant: TenantContext): ScopeDefinition[] => tenant.record.scopes ?? [];

export const isStandardScope = (name: string): boolean => (STANDARD_SCOPES as readonly string[]).includes(name);

export function validateScope(input: ScopeInput): ScopeDefinition {
  const name = input.name.trim();
  if (!SCOPE_TOKEN.test(name))
    throw new InputError('name', 'must be a scope token: 1-200 printable characters without spaces, " or \\', 'invalid_request');
  const displayName = (input.displayName ?? name).trim();
  if (!displayName || displayName.length > 200) throw new InputError('displayName', 'must be 1-200 characters', 'invalid_request');
  const description = (input.description ?? '').trim();
  if (description.length > 1000) throw new InputError('description', 'must be at most 1000 characters', 'invalid_request');
  const claims = [...new Set(input.claims ?? [])];
  for (const c of claims) {
    if (!c || c.length > 200 || /[\s\u0000-\u001f]/.test(c))
      throw new InputError('claims', `"${c.slice(0, 50)}" is not a claim name`, 'invalid_request');
  }
  if (name === 'openid' && claims.length > 0) throw new InputError('claims', 'the openid scope releases only sub', 'invalid_request');
  return { name, displayName, description, claims };
}

/** Changes the scope list (kept ordered by name), safe against concurrent edits (tenant-lists.ts). */
async function changeScopes(
  rt: Runtime,
  tenant: TenantContext,
  change: (current: ScopeDefinition[]) => ScopeDefinition[],
): Promise<{ tenant: TenantContext; before: ScopeDefinition[] }> {
  return changeTenantList(rt, tenant, 'scopes', (current) =>
    change(current).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  );
}

/** Creates or replaces one scope definition. */
export async function setScope(
  rt: Runtime,
  tenant: TenantContext,
  input: ScopeInput,
): Promise<{ tenant: TenantContext; before: ScopeDefinition | null; scope: ScopeDefinition }> {
  const scope = validateScope(input);
  const { tenant: ctx, before } = await changeScopes(rt, tenant, (list) => [...list.filter((s) => s.name !== scope.name), scope]);
  return { tenant: ctx, before: before.find((s) => s.name === scope.name) ?? null, scope };
}

/** Removes a scope definition; false when there was none. */
export async function deleteScope(
  rt: Runtime,
  tenant: TenantContext,
  name: string,
): Promise<{ tenant: TenantContext; before: ScopeDefinition | null }> {
  if (!tenantScopes(tenant).some((s) => s.name === name)) {
    const fresh = await rt.store.tenants.findById(tenant.id);
    if (!fresh?.scopes?.some((s) => s.name === name)) return { tenant, before: null };
  }
  const { tenant: ctx, before } = await changeScopes(rt, tenant, (list) => list.filter((s) => s.name !== name));
  return { tenant: ctx, before: before.find((s) => s.name === name) ?? null };
}

/** Replaces every scope definition at once (a new tenant's, or a tenant file's). */
export async function replaceScopes(rt: Runtime, tenant: TenantContext, inputs: ScopeInput[]): Promise<TenantContext> {
  const defs = inputs.map(validateScope);
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) throw new InputError('scopes', `"${d.name}" is defined twice`, 'invalid_request');
    names.add(d.name);
  }
  return (await changeScopes(rt, tenant, () => defs)).tenant;
}
