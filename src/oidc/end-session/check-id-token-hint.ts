import { decodeJwt } from 'jose';
import { verifyIdTokenHint } from '../id-token-hint.js';
import type { EndSessionContext } from './context.js';

/** The client an ID token was issued to: `aud`, or `azp` when aud lists several. */
function audienceOf(token: string): string | null {
  const payload = decodeJwt(token);
  const aud = payload.aud;
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && aud.length === 1 && typeof aud[0] === 'string') return aud[0];
  return typeof payload.azp === 'string' ? payload.azp : null;
}

/**
 * `id_token_hint`: an ID token this tenant issued (signature with the tenant's keys, or
 * the client secret for HS256 clients; issuer this tenant; expired ones accepted, as
 * RP-Initiated Logout 1.0 section 2 asks). Its audience identifies the client. A hint
 * that does not verify is not an error page: the user is asked instead, and no
 * redirect happens (hintRefused).
 */
export async function checkIdTokenHint(ctx: EndSessionContext): Promise<void> {
  const token = ctx.params.get('id_token_hint');
  if (token === undefined) return;
  try {
    if (token.length > 8192) throw new Error('too long');
    const clientId = audienceOf(token);
    const client = clientId && clientId.length <= 256 ? await ctx.rt.clients.find(ctx.tenant, clientId) : null;
    if (!client) throw new Error('unknown audience');
    const payload = await verifyIdTokenHint(ctx.rt, ctx.tenant, client, token);
    if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('no sub');
    ctx.hint = { clientId: client.clientId, sub: payload.sub, sid: typeof payload.sid === 'string' && payload.sid ? payload.sid : null };
    ctx.client = client;
  } catch (err) {
    ctx.log.debug({ err, tenant: ctx.tenant.slug }, 'end_session: id_token_hint refused');
    ctx.hintRefused = true;
  }
}
