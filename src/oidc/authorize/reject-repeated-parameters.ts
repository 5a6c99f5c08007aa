import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

/** RFC 6749 section 3.1: request parameters must not be included more than once. */
export function rejectRepeatedParameters(ctx: AuthorizeContext): void {
  if (ctx.repeated.size > 0) throw oauthError('invalid_request', 'a parameter was sent more than once');
}
