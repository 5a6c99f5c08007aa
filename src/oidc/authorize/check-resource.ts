import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

/** RFC 8707: each `resource` is an absolute URI without a fragment; passed through to the grant. */
export function checkResource(ctx: AuthorizeContext): void {
  if (ctx.resources.length === 0) return;
  if (ctx.resources.length > 10) throw oauthError('invalid_target', 'too many resource parameters');
  for (const r of ctx.resources) {
    let url: URL;
    try {
      url = new URL(r);
    } catch {
      throw oauthError('invalid_target', 'resource must be an absolute URI');
    }
    if (url.hash || r.includes('#')) throw oauthError('invalid_target', 'resource must not contain a fragment');
  }
  ctx.request.resource = [...new Set(ctx.resources)];
}
