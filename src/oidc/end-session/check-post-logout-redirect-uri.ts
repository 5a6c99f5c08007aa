import type { EndSessionContext } from './context.js';

/**
 * `post_logout_redirect_uri` (RP-Initiated Logout 1.0 section 3): used only when the
 * request identifies its client (a verified id_token_hint, or client_id) and the URI
 * matches one of that client's postLogoutRedirectUris exactly. Anything else is not an
 * error but no redirect: the user sees the signed-out page. `state` travels only with
 * such a redirect.
 */
export function checkPostLogoutRedirectUri(ctx: EndSessionContext): void {
  const uri = ctx.params.get('post_logout_redirect_uri');
  if (uri === undefined || ctx.hintRefused || !ctx.client) return;
  if (!ctx.client.postLogoutRedirectUris.includes(uri)) {
    ctx.log.debug({ tenant: ctx.tenant.slug, clientId: ctx.client.clientId }, 'end_session: post_logout_redirect_uri is not registered');
    return;
  }
  ctx.redirectUri = uri;
  const state = ctx.params.get('state');
  if (state !== undefined) ctx.state = state.slice(0, 2048);
}
