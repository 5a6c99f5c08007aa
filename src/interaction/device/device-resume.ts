import type { Request, Response } from 'express';
import { approveDeviceAuthorization, denyDeviceAuthorization } from '../../device-authorizations/device-authorizations.js';
import { deviceFlowEnabled } from '../../device-authorizations/device-flow.js';
import { INTERACTION_COOKIE, INTERACTION_PATH, readCookies } from '../../sessions/browser-cookies.js';
import { authTimeSeconds, currentSession } from '../../sessions/login-sessions.js';
import type { Runtime } from '../../runtime.js';
import type { Interaction } from '../../interactions/interaction.js';
import { beginResume, endInteraction, findInteraction, reopenInteraction } from '../../interactions/transitions.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { expired, InteractionError } from '../interaction-error.js';
import { seeOther } from '../see-other.js';
import { deviceFlowOff } from './enter-code.js';
import { clearDeviceInteractionCookies, deviceDetails, type DeviceInteractionRequest } from './device-interaction.js';
import { renderDeviceApprovedPage, renderDeviceDeniedPage } from './device-pages.js';

const codeGone = (): InteractionError =>
  new InteractionError(
    400,
    'This code can no longer be used',
    'The code expired or was already used. Start signing in on your device again to get a new code.',
  );

const ownedByBrowser = (rt: Runtime, req: Request, rec: Interaction): boolean =>
  readCookies(req.headers.cookie, INTERACTION_COOKIE).some((v) => rt.envelope.verifySecret(v, rec.browserHash));

/**
 * GET `{issuer}/device/resume/{uid}`: where the login and consent pages send the browser
 * back. Takes the page's result once (completed → resuming), then asks for the next page
 * (login when there is no session, then consent) or settles the device authorization:
 * approved (the grant is made) or denied.
 */
export function resumeDevice(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    if (!deviceFlowEnabled(tenant)) throw deviceFlowOff();
    const uid = String(req.params.uid ?? '');
    const ia = /^[A-Za-z0-9_-]{10,64}$/.test(uid) ? await findInteraction(tenant, uid) : null;
    if (!ia || !ownedByBrowser(rt, req, ia)) throw expired();
    if (ia.state === 'pending') return seeOther(res, `${tenant.issuer}${INTERACTION_PATH}/${uid}`);
    const taken = await beginResume(tenant, uid);
    if (!taken) throw expired();

    const finish = async (): Promise<void> => {
      clearDeviceInteractionCookies(tenant, res, uid);
      await endInteraction(tenant, uid);
    };
    const now = tenant.clock.date();
    const { deviceAuthorizationId } = (taken.request ?? {}) as Partial<DeviceInteractionRequest>;
    const rec = deviceAuthorizationId ? await tenant.store.deviceAuthorizations.find(deviceAuthorizationId) : null;
    const client = rec ? await rt.clients.find(tenant, rec.clientId) : null;
    if (!rec || !client || rec.status !== 'pending' || new Date(rec.expiresAt) <= now) {
      await finish();
      throw codeGone();
    }

    const { result } = taken;
    if (result.error) {
      await denyDeviceAuthorization(tenant, rec, result.login?.userId ?? null, now);
      await finish();
      return renderDeviceDeniedPage(res, tenant, client.name);
    }

    const session = await currentSession(rt, tenant, req.headers.cookie);
    const consented = !!session && !!result.consent && taken.details.userId === session.user._id;
    if (!consented) {
      // Next page: a login without a session, else the consent of the signed-in user (asked every time, RFC 8628 5.4).
      const reopened = await reopenInteraction(tenant, uid, {
        prompt: session ? 'consent' : 'login',
        details: deviceDetails(tenant, client, rec, session),
        result: { ...result, consent: undefined },
      });
      if (!reopened) throw expired();
      return seeOther(res, `${tenant.issuer}${INTERACTION_PATH}/${uid}`);
    }

    const approved = await approveDeviceAuthorization(
      tenant,
      rec,
      {
        userId: session.user._id,
        authTime: authTimeSeconds(session.record),
        acr: session.record.acr || tenant.settings.passwordAcr,
        amr: session.record.amr,
        scopes: rec.scopes,
        offlineAccess: rec.scopes.includes('offline_access') && client.grantTypes.includes('refresh_token'),
      },
      now,
    );
    await finish();
    if (!approved) throw codeGone();
    renderDeviceApprovedPage(res, tenant, client.name);
  };
}
