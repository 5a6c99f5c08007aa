import { randomBytes } from 'node:crypto';
import { INTERACTION_COOKIE, INTERACTION_PATH, appendSetCookie, cookieOptions, serializeCookie } from '../../sessions/browser-cookies.js';
import type { InteractionDetails, InteractionPrompt, InteractionResult } from '../../interactions/interaction-record.js';
import { createInteraction, reopenInteraction } from '../../interactions/transitions.js';
import { paths } from '../capabilities.js';
import type { AuthorizationFlow } from './flow.js';

export const resumePath = (uid: string): string => `${paths.authorize}/resume/${uid}`;

/**
 * Hands the browser to a page (login, consent, account selection): stores the pending
 * request and 303-redirects to `{issuer}/interaction/{uid}`. A random cookie, scoped to
 * that page and to the resume URL, ties the interaction to this browser; its hash is
 * stored and the pages derive their CSRF token from it.
 */
export async function startInteraction(
  flow: AuthorizationFlow,
  prompt: InteractionPrompt,
  details: InteractionDetails,
  result: InteractionResult,
): Promise<void> {
  const { rt, tenant, res } = flow;
  let uid = flow.interactionId;
  const reused = uid !== undefined && (await reopenInteraction(tenant, uid, { prompt, details, result }));
  if (!reused) {
    uid = randomBytes(18).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const ttl = tenant.settings.interactionTtl;
    await createInteraction(tenant, {
      id: uid,
      browserHash: rt.envelope.hashSecret(secret),
      clientId: flow.client.clientId,
      prompt,
      request: flow.request,
      details,
      result,
      returnTo: tenant.issuer + resumePath(uid),
      ttl,
    });
    appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, secret, cookieOptions(tenant, `${INTERACTION_PATH}/${uid}`, ttl)));
    appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, secret, cookieOptions(tenant, resumePath(uid), ttl)));
  }
  res.setHeader('Cache-Control', 'no-store');
  res.status(303).setHeader('Location', `${tenant.issuer}${INTERACTION_PATH}/${uid}`);
  res.end();
}

/** Expires both interaction cookies once the interaction is over. */
export function clearInteractionCookies(flow: Pick<AuthorizationFlow, 'tenant' | 'res'>, uid: string): void {
  appendSetCookie(flow.res, serializeCookie(INTERACTION_COOKIE, '', cookieOptions(flow.tenant, `${INTERACTION_PATH}/${uid}`, 0)));
  appendSetCookie(flow.res, serializeCookie(INTERACTION_COOKIE, '', cookieOptions(flow.tenant, resumePath(uid), 0)));
}
