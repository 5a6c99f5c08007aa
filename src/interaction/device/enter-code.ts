import type { Request, Response } from 'express';
import { findPendingByUserCode } from '../../device-authorizations/device-authorizations.js';
import { deviceFlowEnabled } from '../../device-authorizations/device-flow.js';
import { normalizeUserCode } from '../../device-authorizations/user-code.js';
import { currentSession } from '../../sessions/login-sessions.js';
import { releaseAttempt, reserveUserCodeAttempt } from '../../sessions/login-throttle.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { InteractionError } from '../interaction-error.js';
import { deviceCsrfToken, verifyDeviceCsrf } from './device-csrf.js';
import { deviceDetails, startDeviceInteraction } from './device-interaction.js';
import { renderEnterCodePage } from './device-pages.js';

/** One message for every code that is not accepted: it never tells whether a code exists, expired or was used. */
export const CODE_REFUSED_MESSAGE =
  'That code is not valid. Check the code on your device and try again; codes expire after a few minutes.';

export const deviceFlowOff = (): InteractionError =>
  new InteractionError(404, 'Page not found', 'Connecting devices is not enabled for this provider.');

const typedCode = (source: unknown): string => {
  const v = source && typeof source === 'object' ? (source as Record<string, unknown>).user_code : undefined;
  return typeof v === 'string' ? v.slice(0, 20) : '';
};

/** GET `{issuer}/device[?user_code=…]`: the code form, prefilled from verification_uri_complete (still to be confirmed by a click, RFC 8628 5.4). */
export function showDevicePage(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    if (!deviceFlowEnabled(tenant)) throw deviceFlowOff();
    renderEnterCodePage(res, tenant, { csrf: deviceCsrfToken(rt, tenant, req, res), userCode: typedCode(req.query) });
  };
}

/**
 * POST `{issuer}/device` with `user_code`: counted against the client address before the
 * code is looked up (sessions/login-throttle.ts), then the browser continues to the login
 * page (no session) or straight to the consent page, which the device flow always shows.
 */
export function submitUserCode(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    if (!deviceFlowEnabled(tenant)) throw deviceFlowOff();
    verifyDeviceCsrf(rt, req);
    const typed = typedCode(req.body);
    const csrf = deviceCsrfToken(rt, tenant, req, res);
    const now = tenant.clock.date();
    const attempt = await reserveUserCodeAttempt(tenant, req.ip ?? 'unknown', now);
    if (!attempt.allowed) {
      return renderEnterCodePage(res, tenant, {
        csrf,
        userCode: typed,
        status: 429,
        message: 'Too many codes were tried from here. Wait a few minutes, then try again.',
      });
    }
    const code = normalizeUserCode(typed);
    const rec = code ? await findPendingByUserCode(rt, tenant, code, now) : null;
    const client = rec ? await rt.clients.find(tenant, rec.clientId) : null;
    if (!rec || !client) return renderEnterCodePage(res, tenant, { csrf, userCode: typed, status: 400, message: CODE_REFUSED_MESSAGE });
    await releaseAttempt(tenant, attempt);

    const session = await currentSession(rt, tenant, req.headers.cookie);
    await startDeviceInteraction(rt, tenant, res, rec, session ? 'consent' : 'login', deviceDetails(tenant, client, rec, session));
  };
}
