import type { Request, Response } from 'express';
import { currentSession } from '../sessions/login-sessions.js';
import type { Runtime } from '../runtime.js';
import { completeAccountChoice, switchToLogin } from '../interactions/transitions.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { verifyCsrf } from './csrf.js';
import { InteractionError, expired } from './interaction-error.js';
import { loadInteraction } from './load-interaction.js';
import { seeOther } from './see-other.js';

/**
 * POST `{issuer}/interaction/{uid}/select-account` with `account=continue|switch`
 * (prompt=select_account): keep the current session, or sign in as someone else.
 */
export function selectAccount(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const ia = await loadInteraction(rt, tenant, req);
    verifyCsrf(rt, ia, req.body);
    if (ia.state !== 'pending') return seeOther(res, ia.returnTo);
    if (ia.prompt !== 'select_account') throw expired();
    const choice = (req.body as Record<string, unknown> | undefined)?.account;
    if (choice === 'switch') {
      if (!(await switchToLogin(tenant, ia))) throw expired();
      return seeOther(res, `${tenant.issuer}/interaction/${ia.id}`);
    }
    if (choice !== 'continue')
      throw new InteractionError(400, 'Choose an account', 'The form was submitted without a choice. Go back and choose an account.');
    const session = await currentSession(rt, tenant, req.headers.cookie);
    if (!session || session.user._id !== ia.details.userId) {
      throw new InteractionError(
        400,
        'Your session changed',
        'You signed out or signed in as someone else in the meantime. Return to the application and start again.',
      );
    }
    if (!(await completeAccountChoice(tenant, ia, session.record._id))) throw expired();
    seeOther(res, ia.returnTo);
  };
}
