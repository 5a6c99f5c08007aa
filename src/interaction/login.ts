import type { Request, Response } from 'express';
import { hookFor, runAfterLoginHook } from '../claims/hooks.js';
import { subjectFor } from '../claims/subject.js';
import { appendSetCookie } from '../sessions/browser-cookies.js';
import { browserStateCookie } from '../sessions/browser-state.js';
import { loginSucceeded, reserveLoginAttempt } from '../sessions/login-throttle.js';
import { startSession } from '../sessions/login-sessions.js';
import { checkPassword } from '../users/password-check.js';
import type { Runtime } from '../runtime.js';
import type { LoginFlash } from '../interactions/interaction.js';
import type { InteractionResult } from '../interactions/interaction-record.js';
import { completeLogin, completeWithError, showLoginAgain } from '../interactions/transitions.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { verifyCsrf } from './csrf.js';
import { expired } from './interaction-error.js';
import { loadInteraction, type LoadedInteraction } from './load-interaction.js';
import { LOGIN_FAILED_MESSAGE } from './pages/login-page.js';
import { renderLoginRefusedPage } from './pages/login-refused-page.js';
import { seeOther } from './see-other.js';

const field = (body: unknown, name: string): string => {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
};

async function showAgain(tenant: TenantContext, res: Response, ia: LoadedInteraction, flash: LoginFlash): Promise<void> {
  await showLoginAgain(tenant, ia, flash);
  seeOther(res, `${tenant.issuer}/interaction/${ia.id}`);
}

/**
 * POST `{issuer}/interaction/{uid}/login`: checks the password (rate-limited per
 * username), starts the tenant session (cookie), records the login on the interaction
 * and sends the browser back to the authorization endpoint.
 */
export function login(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const ia = await loadInteraction(rt, tenant, req);
    verifyCsrf(rt, ia, req.body);
    if (ia.state !== 'pending') return seeOther(res, ia.returnTo);
    if (ia.prompt !== 'login' && ia.prompt !== 'select_account') throw expired();

    const username = field(req.body, 'username').trim().slice(0, 256);
    const password = field(req.body, 'password').slice(0, 1024);
    if (!username || !password) return showAgain(tenant, res, ia, { message: 'Enter your username and password.', username });

    const failed = { message: LOGIN_FAILED_MESSAGE, username };
    const loginFailed = (reason: string) =>
      rt.events.emit(tenant, { type: 'LOGIN_FAILURE', clientId: ia.clientId, data: { username, reason, ip: req.ip ?? null } });
    // Counted before the password is checked (sessions/login-throttle.ts): parallel guesses cannot outrun the lock.
    const attempt = await reserveLoginAttempt(tenant, username);
    if (!attempt.allowed) {
      loginFailed('locked_out');
      return showAgain(tenant, res, ia, failed);
    }
    const user = await checkPassword(tenant, username, password);
    if (!user) {
      loginFailed('invalid_credentials');
      return showAgain(tenant, res, ia, failed);
    }
    await loginSucceeded(tenant, attempt);
    if (await refusedByHook(rt, tenant, res, ia, user, ['pwd'])) return;

    const session = await startSession(rt, tenant, user, { amr: ['pwd'], acr: tenant.settings.passwordAcr }, req.headers.cookie);
    appendSetCookie(res, session.cookie);
    // A new login is a new browser state, even if no authorization response follows (Session Management 1.0).
    appendSetCookie(res, browserStateCookie(rt, tenant, session.record));
    if (!(await completeLogin(tenant, ia, { sessionId: session.record._id, userId: user._id }))) throw expired();
    rt.events.emit(tenant, {
      type: 'LOGIN_SUCCESS',
      userId: user._id,
      clientId: ia.clientId,
      data: { username: user.username, amr: ['pwd'], sid: session.record.sid, ip: req.ip ?? null },
    });
    seeOther(res, ia.returnTo);
  };
}

/**
 * The tenant's AFTER_LOGIN hook (claims/hooks.ts) may refuse the user or ask for a
 * further step: then no session starts, the page says why, and the authorization ends
 * with access_denied (or interaction_required: Gatehouse has no further steps built in).
 */
async function refusedByHook(
  rt: Runtime,
  tenant: TenantContext,
  res: Response,
  ia: LoadedInteraction,
  user: UserRecord,
  amr: string[],
): Promise<boolean> {
  if (!hookFor(tenant, 'AFTER_LOGIN')) return false;
  const client = await rt.clients.find(tenant, ia.clientId);
  if (!client) throw expired();
  const outcome = await runAfterLoginHook(rt, tenant, {
    user,
    client,
    scopes: ia.details.scopes,
    amr,
    sub: subjectFor(rt, tenant, client, user),
  });
  if (outcome.action === 'allow') return false;
  const deny = outcome.action === 'deny';
  const error: NonNullable<InteractionResult['error']> = deny
    ? { error: 'access_denied', description: 'the sign-in was refused' }
    : { error: 'interaction_required', description: `additional verification is required (${outcome.step})` };
  if (!(await completeWithError(tenant, ia, error))) throw expired();
  rt.events.emit(tenant, {
    type: 'LOGIN_DENIED',
    userId: user._id,
    clientId: client.clientId,
    data: deny
      ? { username: user.username, reason: 'denied', message: outcome.message }
      : { username: user.username, reason: 'step_required', step: outcome.step },
  });
  renderLoginRefusedPage(res, tenant, {
    title: deny ? 'Sign-in refused' : 'Additional verification required',
    message: deny
      ? outcome.message
      : `Additional verification (${outcome.step}) is required for this account, and it cannot be completed here. Contact your administrator.`,
    returnTo: ia.returnTo,
    clientName: ia.details.clientName,
  });
  return true;
}
