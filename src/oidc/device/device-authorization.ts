import { formatUserCode } from '../../device-authorizations/user-code.js';
import { startDeviceAuthorization } from '../../device-authorizations/device-authorizations.js';
import { DEVICE_CODE_GRANT, deviceFlowEnabled, verificationUri } from '../../device-authorizations/device-flow.js';
import { notFound, oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { authenticateClient } from '../client-auth.js';
import { formOf, jsonAnswer, type Answer, type Endpoint } from '../endpoint.js';
import { checkAuthorizationResources } from '../resource-indicators/authorization.js';
import { allowedScopes, parseScope } from '../scopes.js';

/** RFC 8628 3.2: the device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/**
 * RFC 8628 3.1-3.2: an authenticated client asks for a device code and a user code for
 * the scopes it may request. `resource` (RFC 8707) is checked as at the authorization
 * endpoint (invalid_target, as JSON: this endpoint has no redirect) and stored with the
 * device authorization; the grant the user approves carries it (docs/token-services.md
 * "Resource indicators (RFC 8707)").
 */
export async function deviceAuthorizationRequest(
  rt: Runtime,
  tenant: TenantContext,
  client: ClientRecord,
  body: Record<string, unknown>,
  now: Date,
): Promise<DeviceAuthorizationResponse> {
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT))
    throw oauthError('unauthorized_client', 'this client is not registered for the device code grant');
  const scopes = allowedScopes(client, parseScope(body.scope));
  const resource = await checkAuthorizationResources(tenant, client.clientId, body.resource);
  const { deviceCode, userCode, record } = await startDeviceAuthorization(rt, tenant, { clientId: client.clientId, scopes, resource }, now);
  const shown = formatUserCode(userCode);
  return {
    device_code: deviceCode,
    user_code: shown,
    verification_uri: verificationUri(tenant),
    verification_uri_complete: verificationUri(tenant, shown),
    expires_in: Math.round((record.expiresAt.getTime() - now.getTime()) / 1000),
    interval: record.interval,
  };
}

/** Headers of every answer of the endpoint, errors included: codes are secrets. */
export const DEVICE_AUTHORIZATION_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * POST `{issuer}/device/auth` (docs/architecture.md "One request's path"): client
 * authentication as at the token endpoint (public clients by client_id).
 */
export const deviceAuthorization =
  (rt: Runtime): Endpoint =>
  async (tenant, input): Promise<Answer> => {
    if (!deviceFlowEnabled(tenant)) throw notFound('the device flow is not enabled for this tenant');
    if (input.contentType !== 'application/x-www-form-urlencoded')
      throw oauthError('invalid_request', 'the device authorization endpoint takes application/x-www-form-urlencoded');
    const body = formOf(input);
    // RFC 8707 2: `resource` may repeat; no other parameter may (RFC 6749 3.1, which RFC 8628 3.1 follows).
    for (const [k, v] of Object.entries(body))
      if (Array.isArray(v) && k !== 'resource') throw oauthError('invalid_request', 'a parameter was sent more than once');
    const { client } = await authenticateClient(rt, tenant, input);
    return jsonAnswer(await deviceAuthorizationRequest(rt, tenant, client, body, tenant.clock.date()));
  };
