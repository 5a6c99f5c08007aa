import { oauthError } from '../../errors/oauth-error.js';
import type { EndSessionContext } from './context.js';

/**
 * `client_id` (RP-Initiated Logout 1.0 section 2): with a verified id_token_hint it must
 * be the hint's audience (a mismatch is refused: one of the two is not what the RP
 * meant); without a hint it identifies the client whose post_logout_redirect_uri is
 * checked. An unknown client_id identifies nobody (the user is asked, no redirect).
 */
export async function checkClient(ctx: EndSessionContext): Promise<void> {
  const clientId = ctx.params.get('client_id');
  if (clientId === undefined) return;
  if (ctx.hint) {
    if (clientId !== ctx.hint.clientId) throw oauthError('invalid_request', 'client_id does not match the audience of id_token_hint');
    return;
  }
  if (ctx.hintRefused) return;
  ctx.client = clientId.length <= 256 ? await ctx.rt.clients.find(ctx.tenant, clientId) : null;
}
