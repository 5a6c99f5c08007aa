import { deviceCodeId } from '../../device-authorizations/device-authorizations.js';
import { OAuthError, oauthError } from '../../errors/oauth-error.js';
import type { DeviceAuthorizationRecord } from '../../device-authorizations/device-authorization-record.js';
import { revokeAuthorization } from '../../tokens/authorizations.js';
import { authorizationParties, issueTokenSet } from '../issue/token-set.js';
import { DEVICE_CODE_GRANT } from '../capabilities.js';
import { requestedResources } from '../resource-indicators/requested.js';
import { tokenTarget } from '../resource-indicators/token-target.js';
import type { GrantTypeContext, GrantTypeHandler } from '../token/grant-type.js';

/** RFC 8628 3.5: each poll that comes sooner than the interval adds this many seconds to it. */
export const SLOW_DOWN_SECONDS = 5;
/**
 * Timers fire a little early and requests take a little time: a poll this much ahead of
 * its slot still counts as on time (a device that waits the interval is never slowed).
 */
const PACING_TOLERANCE_MS = 250;

function deviceCodeParam(body: Record<string, unknown>): string {
  const v = body.device_code;
  if (v === undefined || v === '') throw oauthError('invalid_request', 'device_code is required');
  if (typeof v !== 'string') throw oauthError('invalid_request', 'device_code must be a single string');
  return v;
}

/**
 * The interval is enforced on every poll, whatever the state (a stolen device code polled
 * in a loop only ever hears slow_down, and ever more slowly). Atomic: of two concurrent
 * polls one takes the slot, the other is the early one.
 */
async function pace({ tenant }: GrantTypeContext, rec: DeviceAuthorizationRecord, now: Date): Promise<DeviceAuthorizationRecord> {
  const next = new Date(now.getTime() + rec.interval * 1000 - PACING_TOLERANCE_MS);
  const taken = await tenant.store.deviceAuthorizations.takePoll(rec._id, new Date(now.getTime() + PACING_TOLERANCE_MS), next);
  if (taken) return taken;
  await tenant.store.deviceAuthorizations.slowDown(rec._id, rec.interval, SLOW_DOWN_SECONDS, now);
  throw oauthError('slow_down');
}

/**
 * RFC 8628 3.4-3.5: the device polls with its device code until the user has decided.
 * Answers authorization_pending, slow_down, access_denied or expired_token, then the
 * tokens exactly once (the code is consumed atomically). A device code presented again
 * after its tokens were issued means two parties hold it: the grant (and every token
 * issued from it) is revoked, as for a reused authorization code.
 *
 * RFC 8707 2.2: `resource` narrows the access token to some of the resources named at the
 * device authorization endpoint (which the approved grant holds), as for an authorization
 * code; one not named there is invalid_target at once, whatever the user decides, and
 * spends nothing.
 */
export const deviceCode: GrantTypeHandler = async (ctx) => {
  const { rt, tenant, client, body } = ctx;
  const code = deviceCodeParam(body);
  if (code.length > 512) throw oauthError('invalid_grant', 'unknown device code');
  const now = tenant.clock.date();
  const rec = await tenant.store.deviceAuthorizations.find(deviceCodeId(rt, code));
  if (!rec || rec.clientId !== client.clientId) throw oauthError('invalid_grant', 'unknown device code');
  if (rec.status === 'consumed') {
    if (rec.grantId) await revokeAuthorization(tenant, rec.grantId);
    rt.log.warn({ tenant: tenant.slug, clientId: rec.clientId, grantId: rec.grantId }, 'device code reused: grant revoked');
    throw oauthError('invalid_grant', 'the device code was already used');
  }
  if (new Date(rec.expiresAt).getTime() <= now.getTime()) throw oauthError('expired_token');

  const polled = await pace(ctx, rec, now);
  const target = await tokenTarget(tenant, client.clientId, requestedResources(tenant, body.resource), polled.resource ?? []);
  if (polled.status === 'pending') throw oauthError('authorization_pending');
  // RFC 6749 5.2 errors are 400, not the authorization endpoint's 403 page status.
  if (polled.status === 'denied') throw new OAuthError('access_denied', 'the user denied the authorization', 400);
  const approved = polled.status === 'approved' ? await tenant.store.deviceAuthorizations.consume(rec._id) : null;
  if (!approved?.grantId) throw oauthError('invalid_grant', 'the device code was already used');

  const parties = await authorizationParties(rt, tenant, approved.grantId);
  return issueTokenSet(rt, tenant, {
    ...parties,
    client,
    scopes: parties.authorization.scopes,
    target,
    withRefreshToken: parties.authorization.offlineAccess && client.grantTypes.includes('refresh_token'),
    withNonce: false,
    grantType: DEVICE_CODE_GRANT,
    jkt: ctx.dpop?.jkt,
  });
};
