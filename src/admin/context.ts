import type { Runtime } from '../services/runtime.js';
import type { AdminPrincipal } from './authz.js';
import { createLoaders, type Loaders } from './loaders.js';

/** Built per request; the loaders are new each time so cached data never crosses requests. */
export interface AdminContext {
  rt: Runtime;
  principal: AdminPrincipal;
  loaders: Loaders;
}

export function createAdminContext(rt: Runtime, principal: AdminPrincipal): AdminContext {
  return { rt, principal, loaders: createLoaders(rt) };
}
