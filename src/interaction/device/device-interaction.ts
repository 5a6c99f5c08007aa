import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { DEVICE_PAGE_PATH } from '../../device-authorizations/device-flow.js';
import { INTERACTION_COOKIE, INTERACTION_PATH, appendSetCookie, cookieOptions, serializeCookie } from '../../sessions/browser-cookies.js';
import type { ActiveSession } from '../../sessions/login-sessions.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { DeviceAuthorizationRecord } from '../../device-authorizations/device-authorization-record.js';
import type { InteractionDetails, InteractionPrompt } from '../../interactions/interaction-record.js';
import { createInteraction } from '../../interactions/transitions.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { seeOther } from '../see-other.js';

/**
 * The device page drives the same login and consent pages as the authorization
 * endpoint, through the same interaction state machine (docs/architecture.md): its `request` names
 * the device authorization, and the pages send the browser back to
 * `{issuer}/device/resume/{uid}` instead of the authorization endpoint.
 */
export interface DeviceInteractionRequest {
  deviceAuthorizationId: string;
}

export const deviceResumePath = (uid: string): string => `${DEVICE_PAGE_PATH}/resume/${uid}`;

export function deviceDetails(
  tenant: TenantContext,
  client: ClientRecord,
  rec: DeviceAuthorizationRecord,
  session: ActiveSession | null,
): InteractionDetails {
  return {
    clientName: client.name,
    // No redirect URI: every page of this flow stays at the provider.
    redirectUri: tenant.issuer,
    scopes: rec.scopes,
    claims: [],
    resources: rec.resource ?? [],
    userId: session?.user._id,
    username: session?.user.username,
  };
}

/** A new interaction for this browser (cookie-bound, as the authorization endpoint's), and the browser sent to its page. */
export async function startDeviceInteraction(
  rt: Runtime,
  tenant: TenantContext,
  res: Response,
  rec: DeviceAuthorizationRecord,
  prompt: InteractionPrompt,
  details: InteractionDetails,
): Promise<void> {
  const uid = randomBytes(18).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const ttl = tenant.settings.interactionTtl;
  const request: DeviceInteractionRequest = { deviceAuthorizationId: rec._id };
  await createInteraction(tenant, {
    id: uid,
    browserHash: rt.envelope.hashSecret(secret),
    clientId: rec.clientId,
    prompt,
    request,
    details,
    result: {},
    returnTo: tenant.issuer + deviceResumePath(uid),
    ttl,
  });
  appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, secret, cookieOptions(tenant, `${INTERACTION_PATH}/${uid}`, ttl)));
  appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, secret, cookieOptions(tenant, deviceResumePath(uid), ttl)));
  seeOther(res, `${tenant.issuer}${INTERACTION_PATH}/${uid}`);
}

/** Expires both interaction cookies once the device interaction is over. */
export function clearDeviceInteractionCookies(tenant: TenantContext, res: Response, uid: string): void {
  appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, '', cookieOptions(tenant, `${INTERACTION_PATH}/${uid}`, 0)));
  appendSetCookie(res, serializeCookie(INTERACTION_COOKIE, '', cookieOptions(tenant, deviceResumePath(uid), 0)));
}
