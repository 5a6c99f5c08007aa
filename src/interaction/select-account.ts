import type { Request, Response } from 'express';
import { currentSession } from '../sessions/login-sessions.js';
import type { Runtime } from '../runtime.js';
import type { InteractionDetails } from '../interactions/interaction-record.js';
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
    if (ia.record.state !== 'pending') return seeOther(res, ia.record.returnTo);
    if (ia.record.prompt !== 'select_account') throw expired();
    const choice = (req.body as Record<string, unknown> | undefined)?.account;
    if (choice === 'switch') {
      const details: InteractionDetails = { ...ia.details, loginReason: 'select_account', loginHint: undefined };
      const moved = await tenant.store.interactions.transition(ia.record._id, 'pending', {
        prompt: 'login',
        details: JSON.stringify(details),
      });
      if (!moved) throw expired();
      return seeOther(res, `${tenant.issuer}/interaction/${ia.record._id}`);
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
    const result = { ...ia.result, selectAccount: { sessionId: session.record._id } };
    const done = await tenant.store.interactions.transition(ia.record._id, 'pending', {
      state: 'completed',
      result: JSON.stringify(result),
    });
    if (!done) throw expired();
    seeOther(res, ia.record.returnTo);
  };
}
