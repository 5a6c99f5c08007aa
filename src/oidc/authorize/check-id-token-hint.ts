import { oauthError } from '../../errors/oauth-error.js';
import { verifyIdTokenHint } from '../id-token-hint.js';
import type { AuthorizeContext } from './context.js';

/**
 * `id_token_hint`: an ID token this tenant issued to this client (expired ones are
 * fine: it is a hint about who, not a credential). Its `sub` is compared with the
 * session's user later.
 */
export async function checkIdTokenHint(ctx: AuthorizeContext): Promise<void> {
  const token = ctx.params.get('id_token_hint');
  if (token === undefined) return;
  let sub: unknown;
  try {
    sub = (await verifyIdTokenHint(ctx.rt, ctx.tenant, ctx.client!, token)).sub;
  } catch {
    throw oauthError('invalid_request', 'id_token_hint is not a valid ID token issued to this client');
  }
  if (typeof sub !== 'string' || !sub) throw oauthError('invalid_request', 'id_token_hint has no sub');
  ctx.request.idTokenHintSub = sub;
}
