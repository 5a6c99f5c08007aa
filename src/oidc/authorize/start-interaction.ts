import { randomBytes } from 'node:crypto';
import { INTERACTION_COOKIE, INTERACTION_PATH, appendSetCookie, cookieOptions, serializeCookie } from '../../sessions/browser-cookies.js';
import type { InteractionDetails, InteractionPrompt, InteractionResult } from '../../interactions/interaction-record.js';
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
  const reused =
    uid !== undefined &&
    (await tenant.store.interactions.transition(uid, 'resuming', {
      state: 'pending',
      prompt,
      details: JSON.stringify(details),
      result: JSON.stringify(result),
      flash: null,
    }));
  if (!reused) {
    uid = randomBytes(18).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const ttl = tenant.settings.interactionTtl;
    const now = new Date();
    await tenant.store.interactions.insert({
      _id: uid,
      browserHash: rt.envelope.hashSecret(secret),
      clientId: flow.client.clientId,
      prompt,
      state: 'pending',
      request: JSON.stringify(flow.request),
      details: JSON.stringify(details),
      result: JSON.stringify(result),
      returnTo: tenant.issuer + resumePath(uid),
      flash: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttl * 1000),
    });
    appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, secret, cookieOptions(tenant, `${INTERACTION_PATH}/${uid}`, ttl)));
    appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, secret, cookieOptions(tenant, resumePath(uid), ttl)));
    if (Math.random() < 0.02) void tenant.store.interactions.sweep().catch(() => undefined);
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
