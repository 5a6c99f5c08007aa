import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'];

/** `prompt` (OIDC Core 3.1.2.1): known values only; `none` stands alone. Also `max_age`. */
export function checkPrompt(ctx: AuthorizeContext): void {
  const prompt = [...new Set((ctx.params.get('prompt') ?? '').split(' ').filter(Boolean))];
  const unknown = prompt.filter((p) => !PROMPT_VALUES.includes(p));
  if (unknown.length) throw oauthError('invalid_request', 'prompt has an unsupported value');
  if (prompt.includes('none') && prompt.length > 1) throw oauthError('invalid_request', 'prompt=none cannot be combined with other values');
  ctx.request.prompt = prompt;

  const maxAge = ctx.params.get('max_age');
  if (maxAge !== undefined) {
    if (!/^\d{1,10}$/.test(maxAge)) throw oauthError('invalid_request', 'max_age must be a non-negative integer (seconds)');
    ctx.request.maxAge = Number(maxAge);
  }
}
