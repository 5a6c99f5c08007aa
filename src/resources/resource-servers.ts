import { ConflictError, InputError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';
import { touchTenant } from '../tenancy/tenant-revision.js';
import { DuplicateKeyError } from '../store/errors.js';
import { newId } from '../store/index.js';
import type { ResourceServerRecord } from './resource-server-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { MAX_RESOURCE_SERVERS, validateIdentifier, validateResourceServer, type ResourceServerInput } from './resource-server-input.js';

/*
 * Managing a tenant's resource servers (the admin API and tenant files). Every change
 * bumps the tenant revision, so each process's cached list (./directory.ts) is rebuilt
 * at once here and within the cache sync interval on the other replicas.
 */

/** The non-secret fields of an audit record (there are no secrets in a resource server). */
export const resourceServerSnapshot = (r: ResourceServerRecord) => ({
  identifier: r.identifier,
  name: r.name,
  scopes: r.scopes,
  accessTokenFormat: r.accessTokenFormat,
  accessTokenTtl: r.accessTokenTtl,
  allowedClients: r.allowedClients,
});

export async function createResourceServer(rt: Runtime, tenant: TenantContext, input: ResourceServerInput): Promise<ResourceServerRecord> {
  const fields = validateResourceServer(input, tenant.issuer);
  if ((await tenant.store.resourceServers.count()) >= MAX_RESOURCE_SERVERS)
    throw new InputError('identifier', `a tenant has at most ${MAX_RESOURCE_SERVERS} resource servers`, 'invalid_request');
  const now = tenant.clock.date();
  let record: ResourceServerRecord;
  try {
    record = await tenant.store.resourceServers.insert({ _id: newId(), ...fields, createdAt: now, updatedAt: now });
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw new ConflictError('identifier', `a resource server "${fields.identifier}" already exists`);
    throw err;
  }
  await touchTenant(rt, tenant.id);
  return record;
}

/** Changes the given fields (undefined keeps a field; null returns it to its default). */
export async function updateResourceServer(
  rt: Runtime,
  tenant: TenantContext,
  identifier: string,
  input: Omit<ResourceServerInput, 'identifier'>,
): Promise<{ before: ResourceServerRecord; after: ResourceServerRecord } | null> {
  const before = await tenant.store.resourceServers.find(validateIdentifier(identifier));
  if (!before) return null;
  const merged: ResourceServerInput = { ...before };
  for (const [k, v] of Object.entries(input) as [keyof ResourceServerInput, unknown][])
    if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  const { identifier: _same, ...set } = validateResourceServer(merged, tenant.issuer);
  const after = await tenant.store.resourceServers.update(before.identifier, set);
  if (!after) return null;
  await touchTenant(rt, tenant.id);
  return { before, after };
}

export async function deleteResourceServer(rt: Runtime, tenant: TenantContext, identifier: string): Promise<ResourceServerRecord | null> {
  const before = await tenant.store.resourceServers.delete(identifier);
  if (before) await touchTenant(rt, tenant.id);
  return before;
}
