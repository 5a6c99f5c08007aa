import { browserState, browserStateCookie } from '../../sessions/browser-state.js';
import type { ActiveSession } from '../../sessions/login-sessions.js';
import { authTimeSeconds } from '../../sessions/login-sessions.js';
import type { AuthorizationDecision } from '../authorization-result.js';
import { issueAuthorizationResponse } from '../issue/authorization-response.js';
import { redirectOrigin, sessionState } from '../session-state.js';
import { responseTarget, type AuthorizationFlow } from './flow.js';
import type { Answer } from '../endpoint.js';
import { authorizationResponse } from './respond.js';

/**
 * Everything is settled: the issuing side turns the decision into a code and/or
 * tokens, and the response goes to the client in its response mode.
 */
export async function issue(flow: AuthorizationFlow, session: ActiveSession): Promise<Answer> {
  const { rt, tenant, client, request } = flow;
  const decision: AuthorizationDecision = {
    client,
    user: session.user,
    session: {
      sid: session.record.sid,
      authTime: authTimeSeconds(session.record),
      amr: session.record.amr,
      // Sessions from before acr existed were password logins too.
      acr: session.record.acr || tenant.settings.passwordAcr,
    },
    responseType: request.responseType,
    redirectUri: request.redirectUri,
    // Requested ∩ allowed (checked) ∩ consented (decide): consent covers every requested scope.
    scopes: request.scopes,
    claims: request.claims,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    dpopJkt: request.dpopJkt,
    offlineAccess: request.scopes.includes('offline_access'),
    resource: request.resource,
    state: request.state,
  };
  const params = await issueAuthorizationResponse(rt, tenant, decision);
  await tenant.store.loginSessions.addClient(session.record._id, client.clientId);
  // Session Management 1.0: the RP's check_session iframe compares against this, and the
  // browser state cookie it reads is (re)set to the same session.
  const origin = request.scopes.includes('openid') ? redirectOrigin(request.redirectUri) : null;
  if (origin) {
    params.session_state = sessionState(client.clientId, origin, browserState(rt, tenant, session.record.sid));
    flow.cookies.push(browserStateCookie(rt, tenant, session.record));
  }
  flow.onFinish?.();
  return authorizationResponse(responseTarget(flow), params);
}
