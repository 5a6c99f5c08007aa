import { extensionDefaults } from '../config/defaults.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { HookDefinition, HookPoint } from '../tenancy/tenant-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';
import { codeHook, resolverClient, resolverTenant, resolverUser, type AfterLoginDecision, type EndedSession } from './code-resolvers.js';
import { hookFailures } from './extension-metrics.js';
import { callTenantWebhook, WebhookFailure } from './outbound-webhook.js';
import { storedClaims } from './user-claims.js';
import { withTimeout } from './with-timeout.js';

/**
 * The tenant's hooks (at most one per point), each the tenant's code (code-resolvers.ts)
 * or a webhook (outbound-webhook.ts, signed with the tenant's key):
 * - AFTER_LOGIN: after the password is checked, before the session starts; may deny
 *   the login or ask for a further step;
 * - ID_TOKEN_PROCESSING: adds or changes ID token claims (django-oidc-provider's
 *   OIDC_IDTOKEN_PROCESSING_HOOK); protocol claims stay the provider's (id-token-claims.ts);
 * - SUB_GENERATOR: the user's identifier for `sub` (subject.ts; code only);
 * - AFTER_END_SESSION: told when a session ends (sessions/logout-hooks.ts).
 * A hook that fails is logged, counted and recorded as a HOOK_FAILED event, and the
 * flow goes on as if there were no hook (AFTER_LOGIN with failClosed refuses instead).
 */

export const hookFor = (tenant: TenantContext, point: HookPoint): HookDefinition | undefined =>
  tenant.record.hooks?.find((h) => h.point === point);

export type AfterLoginOutcome = { action: 'allow' } | { action: 'deny'; message: string } | { action: 'require_step'; step: string };

/** Shown when a failClosed after-login hook could not be asked. */
export const LOGIN_CHECK_UNAVAILABLE =
  'Sign-in is not possible right now because a required check could not be completed. Try again in a few minutes.';

class HookAnswerError extends Error {
  readonly reason = 'bad_shape';
}

function reportHookFailure(
  rt: Runtime,
  tenant: TenantContext,
  hook: HookDefinition,
  err: unknown,
  who: { userId?: string | null; clientId?: string | null },
): void {
  const reason =
    err instanceof WebhookFailure || err instanceof HookAnswerError
      ? err.reason
      : (err as Error)?.name === 'TimeoutError'
        ? 'timeout'
        : 'error';
  const message = ((err as Error)?.message ?? String(err)).slice(0, 300);
  hookFailures.inc({ point: hook.point, reason });
  rt.log.warn({ tenant: tenant.slug, point: hook.point, kind: hook.kind, reason, err: message }, 'tenant hook failed');
  rt.events.emit(tenant, {
    type: 'HOOK_FAILED',
    userId: who.userId ?? null,
    clientId: who.clientId ?? null,
    data: {
      point: hook.point,
      kind: hook.kind,
      reason,
      message,
      ...(hook.webhook ? { url: hook.webhook.url } : {}),
      ...(hook.code ? { code: hook.code } : {}),
    },
  });
}

function codeOf<P extends HookPoint>(tenant: TenantContext, hook: HookDefinition, point: P) {
  const fn = hook.code ? codeHook(tenant.slug, point, hook.code) : undefined;
  if (!fn) throw new Error(`no ${point} code hook "${hook.code}" is registered`);
  return fn;
}

function afterLoginOutcome(answer: AfterLoginDecision | null | undefined | void): AfterLoginOutcome {
  if (answer === undefined || answer === null) return { action: 'allow' };
  if (typeof answer !== 'object' || Array.isArray(answer))
    throw new HookAnswerError('the answer must be an object: {}, {deny} or {requireStep}');
  if (answer.deny !== undefined && answer.deny !== null) {
    if (typeof answer.deny !== 'string' || !answer.deny.trim()) throw new HookAnswerError('deny must be a non-empty message');
    return { action: 'deny', message: answer.deny.trim().slice(0, 500) };
  }
  if (answer.requireStep !== undefined && answer.requireStep !== null) {
    if (typeof answer.requireStep !== 'string' || !answer.requireStep.trim()) throw new HookAnswerError('requireStep must name a step');
    return { action: 'require_step', step: answer.requireStep.trim().slice(0, 100) };
  }
  return { action: 'allow' };
}

/** A webhook hook about one user at one client: the common body members, plus `extra`. */
function callUserHookWebhook(
  rt: Runtime,
  tenant: TenantContext,
  hook: HookDefinition,
  input: { sub: string; user: UserRecord; client: ClientRecord; scopes: readonly string[] },
  extra: Record<string, unknown>,
) {
  return callTenantWebhook(rt, tenant, {
    url: hook.webhook!.url,
    timeoutMs: hook.webhook!.timeoutMs,
    sub: input.sub,
    clientId: input.client.clientId,
    purpose: `hook:${hook.point}`,
    body: {
      hook: hook.point,
      sub: input.sub,
      user_id: input.user._id,
      username: input.user.username,
      client_id: input.client.clientId,
      scopes: input.scopes,
      tenant: tenant.slug,
      ...extra,
    },
  });
}

export interface AfterLoginInput {
  user: UserRecord;
  client: ClientRecord;
  scopes: string[];
  amr: string[];
  /** The user's sub for the client (sent to a webhook). */
  sub: string;
}

/** Runs the AFTER_LOGIN hook, if the tenant has one. */
export async function runAfterLoginHook(rt: Runtime, tenant: TenantContext, input: AfterLoginInput): Promise<AfterLoginOutcome> {
  const hook = hookFor(tenant, 'AFTER_LOGIN');
  if (!hook) return { action: 'allow' };
  try {
    if (hook.kind === 'CODE') {
      const fn = codeOf(tenant, hook, 'AFTER_LOGIN');
      const [user, client, tenantView] = [
        resolverUser(input.user, storedClaims(input.user)),
        resolverClient(input.client),
        resolverTenant(tenant),
      ];
      const work = Promise.resolve().then(() => fn(user, client, [...input.scopes], tenantView, { amr: [...input.amr] }));
      return afterLoginOutcome(await withTimeout(work, extensionDefaults.codeTimeoutMs, `after-login hook "${hook.code}"`));
    }
    const answer = await callUserHookWebhook(rt, tenant, hook, input, { amr: input.amr });
    return afterLoginOutcome(answer as AfterLoginDecision);
  } catch (err) {
    reportHookFailure(rt, tenant, hook, err, { userId: input.user._id, clientId: input.client.clientId });
    return hook.failClosed ? { action: 'deny', message: LOGIN_CHECK_UNAVAILABLE } : { action: 'allow' };
  }
}

export interface IdTokenHookInput {
  claims: Record<string, unknown>;
  user: UserRecord;
  client: ClientRecord;
  scopes: readonly string[];
  sub: string;
}

/**
 * Asks the ID_TOKEN_PROCESSING hook for claims to add or change (null removes one);
 * {} when there is no hook or it failed. The caller keeps protocol claims its own.
 */
export async function idTokenHookChanges(rt: Runtime, tenant: TenantContext, input: IdTokenHookInput): Promise<Record<string, unknown>> {
  const hook = hookFor(tenant, 'ID_TOKEN_PROCESSING');
  if (!hook) return {};
  try {
    let answer: unknown;
    if (hook.kind === 'CODE') {
      const fn = codeOf(tenant, hook, 'ID_TOKEN_PROCESSING');
      const [claims, user, client, tenantView] = [
        structuredClone(input.claims),
        resolverUser(input.user, storedClaims(input.user)),
        resolverClient(input.client),
        resolverTenant(tenant),
      ];
      const work = Promise.resolve().then(() => fn(claims, user, client, [...input.scopes], tenantView));
      answer = await withTimeout(work, extensionDefaults.codeTimeoutMs, `ID token hook "${hook.code}"`);
    } else {
      const reply = await callUserHookWebhook(rt, tenant, hook, input, { claims: input.claims });
      if (reply.claims === undefined) throw new HookAnswerError('the answer has no "claims" member');
      answer = reply.claims;
    }
    if (answer === undefined || answer === null) return {};
    if (typeof answer !== 'object' || Array.isArray(answer)) throw new HookAnswerError('the hook must return an object of claims');
    return answer as Record<string, unknown>;
  } catch (err) {
    reportHookFailure(rt, tenant, hook, err, { userId: input.user._id, clientId: input.client.clientId });
    return {};
  }
}

/** Tells the AFTER_END_SESSION hook that a session ended; never throws. */
export async function runAfterEndSessionHook(rt: Runtime, tenant: TenantContext, session: EndedSession): Promise<void> {
  const hook = hookFor(tenant, 'AFTER_END_SESSION');
  if (!hook) return;
  try {
    if (hook.kind === 'CODE') {
      const fn = codeOf(tenant, hook, 'AFTER_END_SESSION');
      await withTimeout(
        Promise.resolve().then(() => fn({ ...session, clientIds: [...session.clientIds] }, resolverTenant(tenant))),
        extensionDefaults.codeTimeoutMs,
        `after-end-session hook "${hook.code}"`,
      );
      return;
    }
    await callTenantWebhook(rt, tenant, {
      url: hook.webhook!.url,
      timeoutMs: hook.webhook!.timeoutMs,
      clientId: session.clientId,
      purpose: 'hook:AFTER_END_SESSION',
      body: {
        hook: 'AFTER_END_SESSION',
        user_id: session.userId,
        sid: session.sid,
        client_ids: session.clientIds,
        client_id: session.clientId,
        tenant: tenant.slug,
      },
    });
  } catch (err) {
    reportHookFailure(rt, tenant, hook, err, { userId: session.userId, clientId: session.clientId });
  }
}
