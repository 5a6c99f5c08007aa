import type { Request, Response } from 'express';
import { currentSession } from '../sessions/login-sessions.js';
import type { Runtime } from '../runtime.js';
import { completeConsent, completeWithError } from '../interactions/transitions.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { verifyCsrf } from './csrf.js';
import { InteractionError, expired } from './interaction-error.js';
import { loadInteraction } from './load-interaction.js';
import { seeOther } from './see-other.js';
import { sweepExpired } from '../tenancy/sweeps.js';

/**
 * POST `{issuer}/interaction/{uid}/consent` with `decision=allow|deny`. Allow stores
 * the consent per user and client (merged with what is still valid, for consentTtl);
 * deny makes the authorization end with access_denied.
 */
export function consent(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const ia = await loadInteraction(rt, tenant, req);
    verifyCsrf(rt, ia, req.body);
    if (ia.state !== 'pending') return seeOther(res, ia.returnTo);
    if (ia.prompt !== 'consent') throw expired();
    const decision = (req.body as Record<string, unknown> | undefined)?.decision;
    if (decision !== 'allow' && decision !== 'deny')
      throw new InteractionError(
        400,
        'Choose Allow or Deny',
        'The consent form was submitted without a decision. Go back and choose Allow or Deny.',
      );

    // The consent is the signed-in user's: the session must still be the one the page was shown for.
    const session = await currentSession(rt, tenant, req.headers.cookie);
    if (!session || session.user._id !== ia.details.userId) {
      throw new InteractionError(
        400,
        'Your session changed',
        'You signed out or signed in as someone else in the meantime. Return to the application and start again.',
      );
    }

    let done: boolean;
    if (decision === 'deny') {
      done = await completeWithError(tenant, ia, { error: 'access_denied', description: 'the user denied the request' });
    } else {
      const { scopes, claims } = ia.details;
      const previous = await tenant.store.consents.find(session.user._id, ia.clientId);
      let previousClaims: string[] = [];
      try {
        previousClaims = previous ? (JSON.parse(previous.claims || '[]') as string[]) : [];
      } catch {
        previousClaims = [];
      }
      const now = tenant.clock.date();
      await tenant.store.consents.save(session.user._id, ia.clientId, {
        scopes: [...new Set([...(previous?.scopes ?? []), ...scopes])],
        claims: JSON.stringify([...new Set([...previousClaims, ...claims])]),
        grantedAt: now,
        expiresAt: new Date(now.getTime() + tenant.settings.consentTtl * 1000),
      });
      done = await completeConsent(tenant, ia, { scopes, claims });
      sweepExpired('consents', tenant.id, () => tenant.store.consents.sweep());
    }
    if (!done) throw expired();
    // django-oidc-provider's user_accept_consent / user_decline_consent signals.
    rt.events.emit(tenant, {
      type: decision === 'allow' ? 'CONSENT_GIVEN' : 'CONSENT_DECLINED',
      userId: session.user._id,
      clientId: ia.clientId,
      // The APIs the page named (RFC 8707), only when the request had some: other events keep their shape.
      data: {
        scopes: ia.details.scopes,
        claims: ia.details.claims,
        ...(ia.details.resources?.length ? { resources: ia.details.resources } : {}),
      },
    });
    seeOther(res, ia.returnTo);
  };
}
