import type { Runtime } from '../runtime.js';
import type { AdminPrincipal } from './authz.js';
import type { AuditDraft } from './audit.js';
import { createLoaders, type Loaders } from './loaders.js';

/** Built per request; the loaders are new each time so cached data never crosses requests. */
export interface AdminContext {
  rt: Runtime;
  principal: AdminPrincipal;
  loaders: Loaders;
  /**
   * What the running mutation reports to the audit trail (set by admin/audit.ts around
   * each mutation; mutations run one after another, so one slot suffices). Null in queries.
   */
  audit: AuditDraft | null;
}

export function createAdminContext(rt: Runtime, principal: AdminPrincipal): AdminContext {
  return { rt, principal, loaders: createLoaders(rt), audit: null };
}
