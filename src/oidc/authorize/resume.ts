import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { oauthError } from '../../errors/oauth-error.js';
import { INTERACTION_COOKIE, INTERACTION_PATH, readCookies } from '../../sessions/browser-cookies.js';
import type { Runtime } from '../../runtime.js';
import type { Interaction } from '../../interactions/interaction.js';
import { beginResume, endInteraction, findInteraction } from '../../interactions/transitions.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { AuthorizationRequest } from './context.js';
import { decide } from './decide.js';
import { sendErrorPage } from './error-page.js';
import { responseTarget, type AuthorizationFlow } from './flow.js';
import { sendAuthorizeError } from './send-error.js';
import { clearInteractionCookies } from './start-interaction.js';

const gone = () =>
  oauthError(
    'invalid_request',
    'this sign-in request has expired or was started in another browser; return to the application and try again',
  );

function ownedByBrowser(rt: Runtime, req: Request, rec: Interaction): boolean {
  return readCookies(req.headers.cookie, INTERACTION_COOKIE).some((v) => rt.envelope.verifySecret(v, rec.browserHash));
}

/**
 * `{issuer}/authorize/resume/{uid}`: where the interaction pages send the browser
 * back. Takes the page's result (once: the state moves atomically from completed to
 * resuming), re-checks the client and continues the decision where it stopped.
 */
export function resume(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const log = (res.locals.log as Logger | undefined) ?? rt.log;
    const uid = String(req.params.uid ?? '');
    const rec = /^[A-Za-z0-9_-]{10,64}$/.test(uid) ? await findInteraction(tenant, uid) : null;
    if (!rec || !ownedByBrowser(rt, req, rec)) return sendErrorPage(res, tenant, gone());
    if (rec.state === 'pending') {
      // Back before finishing the page: show it again.
      res.setHeader('Cache-Control', 'no-store');
      res.status(303).setHeader('Location', `${tenant.issuer}${INTERACTION_PATH}/${uid}`);
      res.end();
      return;
    }
    const taken = await beginResume(tenant, uid);
    if (!taken) return sendErrorPage(res, tenant, gone());

    const request = taken.request as AuthorizationRequest;
    const client = await rt.clients.find(tenant, request.clientId);
    if (!client || !client.redirectUris.includes(request.redirectUri)) {
      await endInteraction(tenant, uid);
      return sendErrorPage(res, tenant, oauthError('invalid_client', 'the client is no longer registered for this request'));
    }
    let finished = false;
    const flow: AuthorizationFlow = {
      rt,
      tenant,
      req,
      res,
      client,
      request,
      interactionId: uid,
      onFinish: () => {
        finished = true;
        clearInteractionCookies(flow, uid);
      },
    };
    try {
      const outcome = await decide(flow, taken.result);
      if (outcome === 'issued') await endInteraction(tenant, uid);
    } catch (err) {
      if (!finished && !res.headersSent) flow.onFinish!();
      sendAuthorizeError(res, tenant, responseTarget(flow), err, log);
      await endInteraction(tenant, uid).catch(() => undefined);
    }
  };
}
