import type { Request, Response } from 'express';
import { appendSetCookie } from '../services/browser-cookies.js';
import { startSession } from '../services/login-sessions.js';
import type { Runtime } from '../services/runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { checkPassword } from './check-password.js';
import { verifyCsrf } from './csrf.js';
import { expired } from './interaction-error.js';
import { loadInteraction, type LoadedInteraction } from './load-interaction.js';
import { clearFailedLogins, isLockedOut, recordFailedLogin } from './login-throttle.js';
import { LOGIN_FAILED_MESSAGE, type LoginFlash } from './pages/login-page.js';
import { seeOther } from './see-other.js';

const field = (body: unknown, name: string): string => {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
};

async function showAgain(tenant: TenantContext, res: Response, ia: LoadedInteraction, flash: LoginFlash): Promise<void> {
  await tenant.store.interactions.transition(ia.record._id, 'pending', { flash: JSON.stringify(flash) });
  seeOther(res, `${tenant.issuer}/interaction/${ia.record._id}`);
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
    if (ia.record.state !== 'pending') return seeOther(res, ia.record.returnTo);
    if (ia.record.prompt !== 'login' && ia.record.prompt !== 'select_account') throw expired();

    const username = field(req.body, 'username').trim().slice(0, 256);
    const password = field(req.body, 'password').slice(0, 1024);
    if (!username || !password) return showAgain(tenant, res, ia, { message: 'Enter your username and password.', username });

    const failed = { message: LOGIN_FAILED_MESSAGE, username };
    if (await isLockedOut(tenant, username)) return showAgain(tenant, res, ia, failed);
    const user = await checkPassword(tenant, username, password);
    if (!user) {
      await recordFailedLogin(tenant, username);
      return showAgain(tenant, res, ia, failed);
    }
    await clearFailedLogins(tenant, username);

    const session = await startSession(rt, tenant, user, { amr: ['pwd'] }, req.headers.cookie);
    appendSetCookie(res, session.cookie);
    const result = { ...ia.result, login: { sessionId: session.record._id, userId: user._id } };
    const done = await tenant.store.interactions.transition(ia.record._id, 'pending', { state: 'completed', result: JSON.stringify(result), flash: null });
    if (!done) throw expired();
    seeOther(res, ia.record.returnTo);
  };
}
