import { SESSION_COOKIE, appendSetCookie, cookieOptions, serializeCookie } from '../../sessions/browser-cookies.js';
import { browserStateCookie } from '../../sessions/browser-state.js';
import { runAfterEndSession } from '../../sessions/logout-hooks.js';
import { endLoginSession } from '../../sessions/session-logout.js';
import type { ClientRecord } from '../../clients/client-record.js';
import { appendQuery } from './append-query.js';
import { notifyBackChannel } from './back-channel.js';
import type { EndSessionContext } from './context.js';
import { frontChannelFrames, type FrontChannelFrame } from './front-channel.js';
import { renderSignedOutPage, renderStillSignedInPage } from './pages.js';

/** 303 See Other: after a POST the browser follows with a GET. */
function seeOther(ctx: EndSessionContext, location: string): void {
  ctx.res.setHeader('Cache-Control', 'no-store');
  ctx.res.status(303).setHeader('Location', location);
  ctx.res.end();
}

const returnUrl = (ctx: EndSessionContext): string | null =>
  ctx.redirectUri ? appendQuery(ctx.redirectUri, ctx.state !== null ? { state: ctx.state } : {}) : null;

/**
 * Logs out, in this order: the session ends (record deleted, its non-offline grants
 * revoked, cookies cleared), the after-end-session hooks run, the clients of the session
 * are notified (back-channel in the background, front-channel as iframes of the page),
 * and the browser goes to the validated post_logout_redirect_uri with `state`, or sees
 * the signed-out page.
 */
export async function logOut(ctx: EndSessionContext, confirmed: boolean): Promise<void> {
  const { rt, tenant, res, session } = ctx;
  appendSetCookie(res, serializeCookie(SESSION_COOKIE, '', cookieOptions(tenant, '', 0)));
  appendSetCookie(res, browserStateCookie(rt, tenant, null));

  let frames: FrontChannelFrame[] = [];
  const ended = session ? await endLoginSession(tenant, session.record) : null;
  if (session && ended) {
    const { record, user } = session;
    await runAfterEndSession(
      rt,
      {
        tenant,
        sid: record.sid,
        userId: user._id,
        clientIds: record.clientIds,
        clientId: ctx.client?.clientId ?? null,
        postLogoutRedirectUri: ctx.redirectUri,
        state: ctx.state,
        confirmed,
        revokedGrants: ended.revokedGrants,
        endedAt: new Date(),
      },
      ctx.log,
    );
    const clients = (await Promise.all(record.clientIds.map((id) => rt.clients.find(tenant, id)))).filter(
      (c): c is ClientRecord => c !== null,
    );
    await notifyBackChannel(rt, tenant, { sid: record.sid, user }, clients, ctx.log);
    frames = frontChannelFrames(tenant, record.sid, clients);
    ctx.log.info(
      { tenant: tenant.slug, sid: record.sid, clients: record.clientIds.length, revokedGrants: ended.revokedGrants, confirmed },
      'session ended',
    );
  }

  const to = returnUrl(ctx);
  if (frames.length) return renderSignedOutPage(ctx, frames, to);
  if (to) return seeOther(ctx, to);
  renderSignedOutPage(ctx, [], null);
}

/** The user chose to stay signed in: back to the RP if its URI was validated (it logged the user out locally). */
export function stay(ctx: EndSessionContext): void {
  const to = returnUrl(ctx);
  if (to) return seeOther(ctx, to);
  renderStillSignedInPage(ctx);
}
