import { subjectFor } from '../../claims/subject.js';
import type { EndSessionContext } from './context.js';

/**
 * Whether the session may end without asking the user: only when a verified
 * id_token_hint names this very session (its `sid`, or for a token without one its
 * `sub` for the client) and a logout_hint, if sent, names the signed-in user. Anyone
 * can send a browser to this endpoint; an ID token of the current session is what shows
 * that the request comes from an RP the user was signed in to.
 */
export function isTrusted(ctx: EndSessionContext): boolean {
  const { hint, session, client } = ctx;
  if (!hint || !session || !client) return false;
  const sameSession = hint.sid ? hint.sid === session.record.sid : hint.sub === subjectFor(ctx.rt, ctx.tenant, client, session.user);
  if (!sameSession) return false;
  return ctx.logoutHint === null || ctx.logoutHint === session.user.username;
}
