import type { Connection } from 'mongoose';
import { cacheEventModel } from './cache-event.js';
import { clientModel } from './client.js';
import { keysetModel } from './keyset.js';
import { tenantModel } from './tenant.js';
import { userModel } from './user.js';

/**
 * Every model, registered on the connection at open: indexes are created from this
 * list and tenant deletion cascades to every registered model with a tenantId.
 * A new model file adds its factory here.
 */
export const allModels: ((conn: Connection) => unknown)[] = [tenantModel, keysetModel, clientModel, userModel, cacheEventModel];

export function registerModels(conn: Connection): void {
  for (const make of allModels) make(conn);
}
