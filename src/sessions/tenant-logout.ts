import { runAfterEndSessionHook } from '../claims/hooks.js';
import { onAfterEndSession, type EndSessionEvent } from './logout-hooks.js';
import type { Runtime } from '../runtime.js';

/**
 * What a tenant learns when one of its sessions ends: the LOGOUT event (its event log
 * and webhooks) and its own AFTER_END_SESSION hook, if it has one.
 */
export async function tenantSessionEnded(rt: Runtime, e: EndSessionEvent): Promise<void> {
  rt.events.emit(e.tenant, {
    type: 'LOGOUT',
    userId: e.userId,
    clientId: e.clientId,
    data: { sid: e.sid, clientIds: e.clientIds, confirmed: e.confirmed, revokedGrants: e.revokedGrants },
  });
  await runAfterEndSessionHook(rt, e.tenant, { sid: e.sid, userId: e.userId, clientIds: e.clientIds, clientId: e.clientId });
}

/** Installs the tenant extensions on the logout hook point (once per runtime, at build time). */
export function installTenantLogoutHook(rt: Runtime): void {
  onAfterEndSession(rt, tenantSessionEnded);
}
