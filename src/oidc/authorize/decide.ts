import { subjectFor } from '../../claims/subject.js';
import { oauthError } from '../../errors/oauth-error.js';
import { authTimeSeconds, currentSession, type ActiveSession } from '../../sessions/login-sessions.js';
import type { InteractionDetails, InteractionResult } from '../../interactions/interaction-record.js';
import { requestedClaimNames } from './check-claims.js';
import type { AuthorizationFlow } from './flow.js';
import type { Answer } from '../endpoint.js';
import { issue } from './issue.js';
import { startInteraction } from './start-interaction.js';

export type Outcome = 'interaction' | 'issued';

/** What was decided, and the answer that carries it (a redirect to a page, or the authorization response). */
export interface Decision {
  outcome: Outcome;
  answer: Answer;
}

/**
 * Decides what a validated request needs next: a login, an account choice, a consent,
 * or nothing (then the response is issued). With prompt=none every needed page becomes
 * an error instead (OIDC Core 3.1.2.6). `result` holds what pages already decided in
 * this interaction, so a fresh login satisfies prompt=login and max_age once.
 */
export async function decide(flow: AuthorizationFlow, result: InteractionResult): Promise<Decision> {
  const { rt, tenant, client, request } = flow;
  if (result.error) throw oauthError(result.error.error, result.error.description);

  const session = await currentSession(rt, tenant, flow.input.headers.cookie as string | undefined);
  const fresh = !!session && result.login?.sessionId === session.record._id;
  const silent = request.prompt.includes('none');
  const hintMismatch =
    !!session && request.idTokenHintSub !== undefined && request.idTokenHintSub !== subjectFor(rt, tenant, client, session.user);

  if (fresh && hintMismatch) throw oauthError('login_required', 'the user who signed in is not the one id_token_hint names');
  const loginReason = whyLogin(flow, session, fresh, hintMismatch);
  if (loginReason) {
    if (silent)
      throw oauthError('login_required', loginReason === 'no_session' ? 'the user is not signed in' : 'the user must sign in again');
    return { outcome: 'interaction', answer: await startInteraction(flow, 'login', details(flow, null, loginReason), result) };
  }
  const active = session!;

  if (request.prompt.includes('select_account') && !fresh && result.selectAccount?.sessionId !== active.record._id) {
    return { outcome: 'interaction', answer: await startInteraction(flow, 'select_account', details(flow, active), result) };
  }

  if (await needsConsent(flow, active, result)) {
    if (silent) throw oauthError('consent_required', 'the user has not consented to this request');
    return { outcome: 'interaction', answer: await startInteraction(flow, 'consent', details(flow, active), result) };
  }

  return { outcome: 'issued', answer: await issue(flow, active) };
}

/** Why the user must (re-)authenticate now, or null when the session will do. */
function whyLogin(flow: AuthorizationFlow, session: ActiveSession | null, fresh: boolean, hintMismatch: boolean): string | null {
  if (!session) return 'no_session';
  if (fresh) return null;
  const { prompt, maxAge } = flow.request;
  if (prompt.includes('login')) return 'prompt_login';
  // max_age=0 means "authenticate now", like prompt=login (OIDC Core 3.1.2.1).
  if (maxAge !== undefined && (maxAge === 0 || flow.tenant.clock.now() / 1000 - authTimeSeconds(session.record) > maxAge)) return 'max_age';
  if (hintMismatch) return 'id_token_hint';
  return null;
}

async function needsConsent(flow: AuthorizationFlow, session: ActiveSession, result: InteractionResult): Promise<boolean> {
  const { tenant, client, request } = flow;
  const claims = requestedClaimNames(request.claims);
  if (result.consent) return !covers(result.consent.scopes, result.consent.claims, request.scopes, claims);
  // prompt=consent always asks (OIDC Core 3.1.2.1; docs/openid-connect.md), even clients that skip the page otherwise.
  if (request.prompt.includes('consent')) return true;
  if (!client.requireConsent) return false;
  if (!client.reuseConsent) return true;
  const stored = await tenant.store.consents.find(session.user._id, client.clientId);
  if (!stored) return true;
  let storedClaims: string[] = [];
  try {
    storedClaims = JSON.parse(stored.claims || '[]') as string[];
  } catch {
    storedClaims = [];
  }
  return !covers(stored.scopes, storedClaims, request.scopes, claims);
}

const covers = (grantedScopes: string[], grantedClaims: string[], scopes: string[], claims: string[]): boolean =>
  scopes.every((s) => grantedScopes.includes(s)) && claims.every((c) => grantedClaims.includes(c));

function details(flow: AuthorizationFlow, session: ActiveSession | null, loginReason?: string): InteractionDetails {
  const { client, request } = flow;
  return {
    clientName: client.name,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    claims: requestedClaimNames(request.claims),
    resources: request.resource ?? [],
    loginHint: request.loginHint,
    userId: session?.user._id,
    username: session?.user.username,
    loginReason,
    uiLocale: request.uiLocale,
  };
}
