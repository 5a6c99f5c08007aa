import type { Response } from 'express';
import type { OAuthError } from '../../errors/oauth-error.js';
import { escapeHtml, formTarget, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { paths } from '../capabilities.js';
import { appendQuery } from './append-query.js';
import { LOGOUT_PARAMS, type EndSessionContext } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { FrontChannelFrame } from './front-channel.js';

/** The logout pages: server-rendered, branded, usable without JavaScript. */

const hidden = (name: string, value: string): string => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/**
 * Asks the user whether to log out (the request could not be trusted: no valid
 * id_token_hint, or one of another session). The form posts back to end_session with
 * the request's parameters, a CSRF token and the decision. It has exactly one submit
 * button, "Log out", so people and automated browsers (the OpenID conformance suite's
 * scripts) find the action at once; staying signed in is a plain link back to the
 * validated post_logout_redirect_uri (nothing changes, so it needs no form), or simply
 * leaving the page. A POST with decision=stay is still understood.
 */
export function renderConfirmPage(ctx: EndSessionContext, csrf: string): void {
  const { tenant, session, client } = ctx;
  const carried = LOGOUT_PARAMS.map((name) => {
    const v = ctx.params.get(name);
    return v === undefined ? '' : hidden(name, v);
  }).join('\n');
  const target = ctx.redirectUri ? formTarget(ctx.redirectUri) : null;
  const back = ctx.redirectUri ? appendQuery(ctx.redirectUri, ctx.state !== null ? { state: ctx.state } : {}) : null;
  const who = session ? ` as <strong>${escapeHtml(session.user.username)}</strong>` : '';
  const asking = client
    ? `<strong>${escapeHtml(client.name)}</strong> asks you to log out of ${escapeHtml(tenant.record.displayName)} as well.`
    : `A request to log you out of ${escapeHtml(tenant.record.displayName)} was received.`;
  sendPage(ctx.res, {
    tenant,
    title: 'Do you want to log out?',
    // Chrome applies form-action to the redirect that follows the POST.
    formTargets: target ? [target] : [],
    body: `<p class="lead">You are signed in${who}. ${asking}</p>
<form method="post" action="${escapeHtml(tenant.issuer + paths.endSession)}">
${hidden(CSRF_FIELD, csrf)}
${carried}
<div class="actions">
<button class="btn" type="submit" name="decision" value="logout">Log out</button>
${back ? `<a class="btn secondary" href="${escapeHtml(back)}">Stay signed in</a>` : ''}
</div>
</form>
<p class="fine">Logging out ends your session here and in the applications that use it. If you did not ask to log out, ${back ? 'choose Stay signed in' : 'close this page'}: you stay signed in.</p>`,
  });
}

/**
 * "You are signed out", with the front-channel logout iframes of the session's clients
 * (CSP frame-src lists exactly their origins). With a validated post_logout_redirect_uri
 * the page continues there once the frames have loaded (script), or by its button.
 */
export function renderSignedOutPage(ctx: EndSessionContext, frames: FrontChannelFrame[], continueTo: string | null): void {
  const { tenant } = ctx;
  const iframes = frames.map((f) => `<iframe src="${escapeHtml(f.url)}" title="Signing out of an application" hidden></iframe>`).join('\n');
  const next = continueTo
    ? `<div class="actions"><a class="btn" href="${escapeHtml(continueTo)}">Return to the application</a></div>`
    : '<p>You can close this window.</p>';
  // Waits for the frames (at most 3 s), then continues; the link does the same without JavaScript.
  const script = continueTo
    ? `(function(){var target=${JSON.stringify(continueTo).replace(/</g, '\\u003c')};var frames=document.querySelectorAll('iframe');var left=frames.length;var gone=false;
function go(){if(!gone){gone=true;window.location.replace(target);}}
if(!left){go();return;}
for(var i=0;i<frames.length;i++){frames[i].addEventListener('load',function(){left--;if(left<=0)go();});}
setTimeout(go,3000);})();`
    : undefined;
  sendPage(ctx.res, {
    tenant,
    title: 'You are signed out',
    frameTargets: frames.map((f) => f.origin),
    script,
    body: `<p class="lead">You have been signed out of ${escapeHtml(tenant.record.displayName)}${frames.length ? ' and of the applications you used with it' : ''}.</p>
${next}
${iframes}`,
  });
}

/** The user chose to stay signed in and there is no validated place to return to. */
export function renderStillSignedInPage(ctx: EndSessionContext): void {
  sendPage(ctx.res, {
    tenant: ctx.tenant,
    title: 'You are still signed in',
    body: `<p class="lead">Your session at ${escapeHtml(ctx.tenant.record.displayName)} continues. You can close this window.</p>`,
  });
}

/** A logout request that cannot be processed (e.g. client_id contradicts id_token_hint); never a redirect. */
export function renderEndSessionError(res: Response, tenant: TenantContext, err: OAuthError): void {
  const status = err.status === 503 ? 503 : err.status >= 500 ? 500 : err.status;
  const detail =
    status === 503
      ? 'Logout is briefly unavailable. Please wait a few seconds and try again.'
      : err.status >= 500
        ? 'Something went wrong on our side. Please try again later.'
        : err.errorDescription;
  if (err.headers['Retry-After']) res.setHeader('Retry-After', err.headers['Retry-After']);
  sendPage(res, {
    tenant,
    status,
    title: 'This logout request cannot be completed',
    body: `<p class="lead">${status >= 500 ? 'The logout could not be completed.' : 'The application sent a logout request that we cannot complete. You are still signed in.'} Return to the application, or close this window.</p>
<div class="alert" role="alert"><strong>${escapeHtml(err.error)}</strong>: ${escapeHtml(detail)}</div>`,
  });
}
