import DataLoader from 'dataloader';
import type { SigningKeyRecord } from '../keys/key-record.js';
import type { Runtime } from '../runtime.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { TenantRecord } from '../tenancy/tenant-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { Page } from '../store/paging.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Per-request loaders, keyed by tenant and id, so that a nested query costs a bounded
 * number of database round trips whatever the number of items: every loader batches the
 * keys asked for in one tick into one query (per tenant at most, where noted).
 */
export interface Loaders {
  tenantBySlug: DataLoader<string, TenantContext | null>;
  tenantById: DataLoader<string, TenantRecord | null>;
  /** Key: tenantKey(tenantId, clientId). One query per tenant in the batch. */
  client: DataLoader<string, ClientRecord | null>;
  /** Key: tenantKey(tenantId, userId). One query per tenant in the batch. */
  user: DataLoader<string, UserRecord | null>;
  /** Signing keys by tenant id: one query for all tenants not already cached in memory. */
  signingKeys: DataLoader<string, SigningKeyRecord[]>;
  /** First page of a tenant's clients; key: tenantKey(tenantId, String(first)). One query per batch. */
  firstClients: DataLoader<string, Page<ClientRecord>>;
  /** First page of a tenant's users; key: tenantKey(tenantId, String(first)). One query per batch. */
  firstUsers: DataLoader<string, Page<UserRecord>>;
}

const SEP = '\u0000';
export const tenantKey = (tenantId: string, id: string): string => `${tenantId}${SEP}${id}`;
const splitKey = (key: string): [string, string] => {
  const i = key.indexOf(SEP);
  return [key.slice(0, i), key.slice(i + 1)];
};

function byTenant(keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const [tenantId, id] = splitKey(key);
    groups.set(tenantId, [...(groups.get(tenantId) ?? []), id]);
  }
  return groups;
}

export function createLoaders(rt: Runtime): Loaders {
  const tenantById: Loaders['tenantById'] = new DataLoader(async (ids) => {
    const found = new Map((await rt.store.tenants.findByIds(ids)).map((t) => [t._id, t]));
    return ids.map((id) => found.get(id) ?? null);
  });

  // The registry answers from memory; the loader collapses concurrent misses and lets
  // id lookups (client.tenant, …) of tenants already seen cost nothing.
  const tenantBySlug: Loaders['tenantBySlug'] = new DataLoader(async (slugs) => {
    const out = await Promise.all(slugs.map((s) => rt.tenants.get(s)));
    for (const t of out) if (t) tenantById.prime(t.id, t.record);
    return out;
  });

  const client: Loaders['client'] = new DataLoader(async (keys) => {
    const found = new Map<string, ClientRecord>();
    await Promise.all(
      [...byTenant(keys)].map(async ([tenantId, ids]) => {
        for (const c of await rt.store.forTenant(tenantId).clients.findByClientIds(ids)) found.set(tenantKey(tenantId, c.clientId), c);
      }),
    );
    return keys.map((k) => found.get(k) ?? null);
  });

  const user: Loaders['user'] = new DataLoader(async (keys) => {
    const found = new Map<string, UserRecord>();
    await Promise.all(
      [...byTenant(keys)].map(async ([tenantId, ids]) => {
        for (const u of await rt.store.forTenant(tenantId).users.findByIds(ids)) found.set(tenantKey(tenantId, u._id), u);
      }),
    );
    return keys.map((k) => found.get(k) ?? null);
  });

  const signingKeys: Loaders['signingKeys'] = new DataLoader(async (tenantIds) => {
    const sets = new Map((await rt.store.tenantBatches.keysetsOf(tenantIds)).map((k) => [k.tenantId, k.keys]));
    return tenantIds.map((id) => sets.get(id) ?? []);
  });

  const firstPages = <T>(load: (ids: string[], first: number) => Promise<Map<string, Page<T>>>) =>
    new DataLoader<string, Page<T>>(async (keys) => {
      const pages = new Map<string, Page<T>>();
      const bySize = new Map<string, string[]>();
      for (const key of keys) {
        const [tenantId, first] = splitKey(key);
        bySize.set(first, [...(bySize.get(first) ?? []), tenantId]);
      }
      for (const [first, ids] of bySize) {
        for (const [tenantId, page] of await load(ids, Number(first))) pages.set(tenantKey(tenantId, first), page);
      }
      return keys.map((k) => pages.get(k)!);
    });

  return {
    tenantBySlug,
    tenantById,
    client,
    user,
    signingKeys,
    firstClients: firstPages((ids, first) => rt.store.tenantBatches.firstClientsOf(ids, first)),
    firstUsers: firstPages((ids, first) => rt.store.tenantBatches.firstUsersOf(ids, first)),
  };
}
