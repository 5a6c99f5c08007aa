import { oauthError } from '../../errors/oauth-error.js';
import { checkResourceUri } from '../resource-indicator.js';
import type { AuthorizeContext } from './context.js';

/** RFC 8707: each `resource` is an absolute URI without a fragment; passed through to the grant. */
export function checkResource(ctx: AuthorizeContext): void {
  if (ctx.resources.length === 0) return;
  if (ctx.resources.length > 10) throw oauthError('invalid_target', 'too many resource parameters');
  for (const r of ctx.resources) checkResourceUri(r);
  ctx.request.resource = [...new Set(ctx.resources)];
}
