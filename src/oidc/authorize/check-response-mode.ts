import { oauthError } from '../../errors/oauth-error.js';
import { SUPPORTED_RESPONSE_TYPES, normalizeResponseType } from '../../clients/client-metadata.js';
import type { AuthorizeContext, ResponseMode } from './context.js';

export const RESPONSE_MODES: ResponseMode[] = ['query', 'fragment', 'form_post'];

/**
 * Decides how every later response (success or error) reaches the client, and picks up
 * `state` to echo. Defaults per OAuth 2.0 Multiple Response Type Encoding Practices:
 * query for `code`, fragment for anything returning a token; query is never used for
 * tokens (they would land in server logs and Referer headers).
 */
export function checkResponseMode(ctx: AuthorizeContext): void {
  if (!ctx.repeated.has('state')) ctx.state = ctx.params.get('state');
  ctx.request.state = ctx.state;

  const rawType = ctx.params.get('response_type');
  const type = rawType && !ctx.repeated.has('response_type') ? normalizeResponseType(rawType) : undefined;
  const known = type && (SUPPORTED_RESPONSE_TYPES as readonly string[]).includes(type) ? type : undefined;
  const fallback: ResponseMode = !known || known === 'code' ? 'query' : 'fragment';
  ctx.responseMode = fallback;
  ctx.request.responseMode = fallback;

  if (ctx.repeated.has('response_mode')) throw oauthError('invalid_request', 'response_mode was sent more than once');
  const asked = ctx.params.get('response_mode');
  if (asked === undefined) return;
  if (!(RESPONSE_MODES as string[]).includes(asked))
    throw oauthError('invalid_request', 'response_mode must be query, fragment or form_post');
  if (asked === 'query' && known && known !== 'code')
    throw oauthError('invalid_request', 'response_mode=query cannot carry tokens; use fragment or form_post');
  ctx.responseMode = asked as ResponseMode;
  ctx.request.responseMode = ctx.responseMode;
}
