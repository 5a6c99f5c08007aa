import type { Logger } from 'pino';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';

/**
 * The "after end-session" hook point (django-oidc-provider's OIDC_AFTER_END_SESSION_HOOK):
 * code that wants to know that a user's session at a tenant ended — per-tenant hooks,
 * the "logout" event, audit — registers here. end_session calls the hooks after the
 * session record is gone and before the clients are notified (back- and front-channel).
 *
 * Hooks observe; they cannot stop or redirect the logout (the user asked to leave, and
 * the session is already gone). A hook that throws or takes longer than
 * HOOK_TIMEOUT_MS is logged and otherwise ignored, so a broken hook never strands a user
 * on the logout page.
 */
export interface EndSessionEvent {
  tenant: TenantContext;
  /** The OIDC `sid` of the session that ended (the `sid` of its ID and logout tokens). */
  sid: string;
  userId: string;
  /** Clients that received tokens in the session; they are notified after the hooks. */
  clientIds: string[];
  /** The client that asked for the logout (id_token_hint `aud`, or client_id), if known. */
  clientId: string | null;
  /** The validated post_logout_redirect_uri the user is sent to, if any. */
  postLogoutRedirectUri: string | null;
  state: string | null;
  /** True when the user confirmed on the logout page; false when a trusted id_token_hint ended it directly. */
  confirmed: boolean;
  /** Grants of the session revoked with it (those without offline_access). */
  revokedGrants: number;
  endedAt: Date;
}

export type AfterEndSessionHook = (rt: Runtime, event: EndSessionEvent) => void | Promise<void>;

export const HOOK_TIMEOUT_MS = 2_000;

/** Per runtime (not per process): tests run several servers in one process. */
const registries = new WeakMap<Runtime, Set<AfterEndSessionHook>>();

/** Registers a hook; returns the function that removes it again. */
export function onAfterEndSession(rt: Runtime, hook: AfterEndSessionHook): () => void {
  let hooks = registries.get(rt);
  if (!hooks) registries.set(rt, (hooks = new Set()));
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/** Runs every registered hook (concurrently, each bounded by HOOK_TIMEOUT_MS); never throws. */
export async function runAfterEndSession(rt: Runtime, event: EndSessionEvent, log: Logger): Promise<void> {
  const hooks = registries.get(rt);
  if (!hooks?.size) return;
  await Promise.all(
    [...hooks].map(async (hook) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), HOOK_TIMEOUT_MS);
        timer.unref();
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(() => hook(rt, event)), timeout]);
        if (outcome === 'timeout')
          log.warn({ tenant: event.tenant.slug, hook: hook.name || 'anonymous' }, 'after-end-session hook timed out');
      } catch (err) {
        log.warn({ err, tenant: event.tenant.slug, hook: hook.name || 'anonymous' }, 'after-end-session hook failed');
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
