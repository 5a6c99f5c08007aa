import { oauthError } from '../../errors/oauth-error.js';
import { INTERACTION_COOKIE, INTERACTION_PATH, readCookies } from '../../sessions/browser-cookies.js';
import type { Runtime } from '../../runtime.js';
import type { Interaction } from '../../interactions/interaction.js';
import { beginResume, endInteraction, findInteraction } from '../../interactions/transitions.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { AuthorizationRequest } from './context.js';
import { decide } from './decide.js';
import { redirectAnswer, withCookies, type Answer, type Endpoint, type EndpointInput } from '../endpoint.js';
import { errorPage } from './error-page.js';
import { responseTarget, type AuthorizationFlow } from './flow.js';
import { authorizeErrorAnswer } from './send-error.js';
import { clearInteractionCookies } from './start-interaction.js';

const gone = () =>
  oauthError(
    'invalid_request',
    'this sign-in request has expired or was started in another browser; return to the application and try again',
  );

function ownedByBrowser(rt: Runtime, input: EndpointInput, rec: Interaction): boolean {
  return readCookies(input.headers.cookie as string | undefined, INTERACTION_COOKIE).some((v) =>
    rt.envelope.verifySecret(v, rec.browserHash),
  );
}

/**
 * `{issuer}/authorize/resume/{uid}`: where the interaction pages send the browser
 * back. Takes the page's result (once: the state moves atomically from completed to
 * resuming), re-checks the client and continues the decision where it stopped.
 */
export function resume(rt: Runtime): Endpoint {
  return async (tenant: TenantContext, input): Promise<Answer> => {
    const uid = input.params.uid ?? '';
    const rec = /^[A-Za-z0-9_-]{10,64}$/.test(uid) ? await findInteraction(tenant, uid) : null;
    if (!rec || !ownedByBrowser(rt, input, rec)) return errorPage(tenant, gone());
    if (rec.state === 'pending') {
      // Back before finishing the page: show it again.
      return redirectAnswer(`${tenant.issuer}${INTERACTION_PATH}/${uid}`);
    }
    const taken = await beginResume(tenant, uid);
    if (!taken) return errorPage(tenant, gone());

    const request = taken.request as AuthorizationRequest;
    const client = await rt.clients.find(tenant, request.clientId);
    if (!client || !client.redirectUris.includes(request.redirectUri)) {
      await endInteraction(tenant, uid);
      return errorPage(tenant, oauthError('invalid_client', 'the client is no longer registered for this request'));
    }
    let finished = false;
    const flow: AuthorizationFlow = {
      rt,
      tenant,
      input,
      cookies: [],
      client,
      request,
      interactionId: uid,
      onFinish: () => {
        finished = true;
        clearInteractionCookies(flow, uid);
      },
    };
    try {
      const { outcome, answer } = await decide(flow, taken.result);
      if (outcome === 'issued') await endInteraction(tenant, uid);
      return withCookies(answer, flow.cookies);
    } catch (err) {
      if (!finished) flow.onFinish!();
      const answer = authorizeErrorAnswer(tenant, responseTarget(flow), err, input.log);
      await endInteraction(tenant, uid).catch(() => undefined);
      return withCookies(answer, flow.cookies);
    }
  };
}
