import { formatUserCode } from '../../device-authorizations/user-code.js';
import { startDeviceAuthorization } from '../../device-authorizations/device-authorizations.js';
import { DEVICE_CODE_GRANT, deviceFlowEnabled, verificationUri } from '../../device-authorizations/device-flow.js';
import { notFound, oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { authenticateClient } from '../client-auth.js';
import { formOf, jsonAnswer, type Answer, type Endpoint } from '../endpoint.js';
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
 * the scopes it may request. The `resource` parameter (RFC 8707) is left to the resource
 * indicators work.
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
  const { deviceCode, userCode, record } = await startDeviceAuthorization(rt, tenant, { clientId: client.clientId, scopes }, now);
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
    for (const v of Object.values(body)) if (Array.isArray(v)) throw oauthError('invalid_request', 'a parameter was sent more than once');
    const { client } = await authenticateClient(rt, tenant, input);
    return jsonAnswer(await deviceAuthorizationRequest(rt, tenant, client, body, new Date()));
  };
