import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { outageError } from '../../errors/unavailable.js';
import { OAuthError, oauthError } from '../../errors/oauth-error.js';
import { SESSION_COOKIE, readCookies } from '../../sessions/browser-cookies.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { readParams } from '../authorize/context.js';
import { paths } from '../capabilities.js';
import { checkClient } from './check-client.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import { checkPostLogoutRedirectUri } from './check-post-logout-redirect-uri.js';
import { LOGOUT_PARAMS, type EndSessionContext, type EndSessionStep } from './context.js';
import { CSRF_FIELD, logoutCsrfToken, verifyLogoutCsrf } from './csrf.js';
import { logOut, stay } from './finish.js';
import { loadSession } from './load-session.js';
import { renderConfirmPage, renderEndSessionError } from './pages.js';
import { readHints } from './read-hints.js';
import { isTrusted } from './trust.js';

function rejectRepeatedParameters(ctx: EndSessionContext): void {
  if (ctx.repeated.size > 0) throw oauthError('invalid_request', 'a parameter was sent more than once');
}

/** The steps every request goes through, in order; none of them changes anything. */
const steps: EndSessionStep[] = [checkIdTokenHint, checkClient, checkPostLogoutRedirectUri, readHints, loadSession];

/**
 * An RP's form POST arrives cross-site, and browsers do not send SameSite=Lax cookies
 * with cross-site POSTs: the session would look absent and nothing would end. Such a
 * request (a POST without any session cookie and not our own confirmation form) is
 * answered with a 303 to the same request as a GET, a top-level navigation that does
 * carry the cookie. A GET is never sent round again, so this cannot loop.
 */
function resendAsGet(ctx: EndSessionContext): boolean {
  if (ctx.req.method !== 'POST' || ctx.params.has('decision') || readCookies(ctx.req.headers.cookie, SESSION_COOKIE).length > 0)
    return false;
  const query = new URLSearchParams();
  for (const name of LOGOUT_PARAMS) {
    const v = ctx.params.get(name);
    if (v !== undefined) query.set(name, v);
  }
  const qs = query.toString();
  ctx.res.status(303).setHeader('Location', `${ctx.tenant.issuer}${paths.endSession}${qs ? `?${qs}` : ''}`);
  ctx.res.end();
  return true;
}

/**
 * The confirmation form's answer (a POST with `decision`): CSRF-checked against the
 * session it was shown for. Without a session there is nothing left to protect (it
 * ended elsewhere): the user is simply signed out.
 */
async function confirmed(ctx: EndSessionContext): Promise<void> {
  const decision = ctx.params.get('decision');
  if (decision !== 'logout' && decision !== 'stay') throw oauthError('invalid_request', 'decision must be logout or stay');
  if (!ctx.session) return logOut(ctx, true);
  verifyLogoutCsrf(ctx.rt, ctx.tenant, ctx.session, ctx.params.get(CSRF_FIELD));
  if (decision === 'stay') return stay(ctx);
  await logOut(ctx, true);
}

/**
 * GET and POST `{issuer}/end_session` (OpenID Connect RP-Initiated Logout 1.0). A
 * request that shows it comes from an RP of this very session (isTrusted) ends it at
 * once; any other request with a session asks the user first. Errors are HTML pages,
 * never redirects.
 */
export function endSession(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const log = (res.locals.log as Logger | undefined) ?? rt.log;
    const ctx: EndSessionContext = {
      rt,
      tenant,
      req,
      res,
      log,
      ...readParams(req.method === 'POST' ? req.body : req.query),
      hint: null,
      hintRefused: false,
      client: null,
      redirectUri: null,
      state: null,
      logoutHint: null,
      uiLocale: 'en',
      session: null,
    };
    res.setHeader('Cache-Control', 'no-store');
    try {
      rejectRepeatedParameters(ctx);
      if (resendAsGet(ctx)) return;
      for (const step of steps) await step(ctx);
      if (req.method === 'POST' && ctx.params.has('decision')) return await confirmed(ctx);
      if (ctx.session && !isTrusted(ctx)) return renderConfirmPage(ctx, logoutCsrfToken(rt, tenant, ctx.session));
      await logOut(ctx, false);
    } catch (err) {
      const outage = err instanceof OAuthError ? undefined : outageError(err);
      const e = err instanceof OAuthError ? err : (outage ?? oauthError('server_error'));
      if (outage) log.warn({ reason: (err as Error).message }, 'database unavailable: end_session answered 503');
      else if (!(err instanceof OAuthError) || e.status >= 500) log.error({ err }, 'end_session failed');
      if (res.headersSent) {
        res.end();
        return;
      }
      res.removeHeader('Location');
      renderEndSessionError(res, tenant, e);
    }
  };
}
