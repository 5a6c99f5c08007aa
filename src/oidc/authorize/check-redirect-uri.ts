import type { AuthorizeContext } from './context.js';
import { pageError } from './page-error.js';

/**
 * Exact string comparison against the registered list (no normalisation, no prefix or
 * wildcard matching). OIDC requires redirect_uri on every OpenID request, even when the
 * client registered only one; plain OAuth requests may omit it then (RFC 6749 3.1.2.3).
 */
export function checkRedirectUri(ctx: AuthorizeContext): void {
  const client = ctx.client!;
  if (ctx.repeated.has('redirect_uri')) throw pageError('invalid_request', 'redirect_uri was sent more than once');
  const given = ctx.params.get('redirect_uri');
  let uri: string;
  if (given === undefined) {
    const openid = (ctx.params.get('scope') ?? '').split(' ').includes('openid');
    if (openid || client.redirectUris.length !== 1) throw pageError('invalid_request', 'redirect_uri is missing');
    uri = client.redirectUris[0]!;
  } else {
    if (!client.redirectUris.includes(given)) throw pageError('invalid_request', 'redirect_uri is not registered for this client');
    uri = given;
  }
  ctx.redirectUri = uri;
  ctx.request.redirectUri = uri;
}
