import type { Runtime } from '../runtime.js';
import type { LoadedInteraction } from './load-interaction.js';
import { csrfRefused } from './interaction-error.js';

/** The hidden form field every interaction form carries. */
export const CSRF_FIELD = 'csrf_token';

/**
 * A token derived from the interaction id and the browser's HttpOnly interaction
 * cookie: another site can neither read the cookie nor compute the token, and a token
 * copied from one interaction is useless in another.
 */
export function csrfToken(rt: Runtime, ia: LoadedInteraction): string {
  return rt.envelope.hashSecret(`csrf|${ia.id}|${ia.browserSecret}`);
}

export function verifyCsrf(rt: Runtime, ia: LoadedInteraction, body: unknown): void {
  const sent = body && typeof body === 'object' ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
  if (typeof sent !== 'string' || !rt.envelope.verifySecret(`csrf|${ia.id}|${ia.browserSecret}`, sent)) throw csrfRefused();
}
