import type { Connection, Model } from 'mongoose';
import { clientModel } from '../models/client.js';
import type { ClientRecord } from '../../clients/client-record.js';
import { keysetModel } from '../models/keyset.js';
import type { KeysetRecord } from '../../keys/keyset-record.js';
import { userModel } from '../models/user.js';
import type { UserRecord } from '../../users/user-record.js';
import { DEFAULT_PAGE, encodeCursor, MAX_PAGE, type Page } from '../paging.js';

/**
 * Reads for several tenants at once, for the admin API's per-request loaders: a list of
 * 50 tenants with their clients costs one query, not 50. Every query is still scoped: it
 * names the tenant ids it may read, explicitly.
 */
export const tenantBatchesRepo = (conn: Connection) => {
  const keysets = keysetModel(conn);
  const clients = clientModel(conn);
  const users = userModel(conn);
  return {
    keysetsOf: (tenantIds: readonly string[]): Promise<KeysetRecord[]> =>
      keysets
        .find({ tenantId: { $in: [...tenantIds] } })
        .lean<KeysetRecord[]>()
        .exec(),
    /** The first page of each tenant's clients, ordered by clientId. */
    firstClientsOf: (tenantIds: readonly string[], first: number | null | undefined): Promise<Map<string, Page<ClientRecord>>> =>
      firstPagesOf(clients, tenantIds, 'clientId', first),
    /** The first page of each tenant's users, ordered by username. */
    firstUsersOf: (tenantIds: readonly string[], first: number | null | undefined): Promise<Map<string, Page<UserRecord>>> =>
      firstPagesOf(users, tenantIds, 'usernameKey', first),
  };
};

/**
 * First pages of many tenants without a query per tenant. MongoDB could do this with
 * $group/$push, FerretDB 1.24 cannot, so: one query over all pending tenants sorted by
 * (tenantId, key) with room for a full page of each. Every tenant before the last one
 * in the result is complete; a tenant that fills the window alone ends the round and the
 * tenants after it go in the next. Rounds > 1 happen only when a tenant has more rows
 * than the whole window (pending tenants × page size).
 */
async function firstPagesOf<T extends { tenantId: string }>(
  model: Model<T>,
  tenantIds: readonly string[],
  field: keyof T & string,
  firstArg: number | null | undefined,
): Promise<Map<string, Page<T>>> {
  const first = Math.min(Math.max(firstArg ?? DEFAULT_PAGE, 0), MAX_PAGE);
  const rows = new Map<string, T[]>(tenantIds.map((id) => [id, []]));
  let pending = [...new Set(tenantIds)].sort();
  while (pending.length > 0) {
    for (const id of pending) rows.set(id, []);
    const window = pending.length * (first + 1);
    const found = (await model
      .find({ tenantId: { $in: pending } })
      .sort({ tenantId: 1, [field]: 1 })
      .limit(window)
      .lean()) as T[];
    for (const row of found) {
      const list = rows.get(row.tenantId)!;
      if (list.length <= first) list.push(row);
    }
    if (found.length < window) break;
    const lastTenant = found.at(-1)!.tenantId;
    const lastComplete = rows.get(lastTenant)!.length > first;
    pending = pending.filter((id) => id > lastTenant || (id === lastTenant && !lastComplete));
  }
  const pages = new Map<string, Page<T>>();
  for (const [id, list] of rows) {
    pages.set(id, { items: list.slice(0, first), hasNextPage: list.length > first, cursorOf: (item) => encodeCursor(String(item[field])) });
  }
  return pages;
}
