import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

/** Request objects (OIDC Core 6) are not supported, and discovery says so. */
export function rejectRequestObjects(ctx: AuthorizeContext): void {
  if (ctx.params.has('request')) throw oauthError('request_not_supported', 'the request parameter is not supported');
  if (ctx.params.has('request_uri')) throw oauthError('request_uri_not_supported', 'the request_uri parameter is not supported');
}
