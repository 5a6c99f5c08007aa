import { oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { DEVICE_CODE_GRANT, deviceFlowEnabled, passwordGrantEnabled } from '../capabilities.js';
import { authenticateClient } from '../client-auth.js';
import { isFapi2 } from '../fapi/profile.js';
import { checkFapiTokenRequest } from '../fapi/token-request.js';
import { authorizationCode } from '../grant-types/authorization-code.js';
import { clientCredentials } from '../grant-types/client-credentials.js';
import { deviceCode } from '../grant-types/device-code.js';
import { refreshToken } from '../grant-types/refresh-token.js';
import { password } from '../grant-types/password.js';
import { TOKEN_EXCHANGE, tokenExchange } from '../grant-types/token-exchange.js';
import type { GrantTypeHandler } from './grant-type.js';
import { emptyAnswer, formOf, jsonAnswer, type Answer, type Endpoint, type EndpointInput } from '../endpoint.js';
import { dpopNonceHeaders } from '../dpop/index.js';
import { tokenRequestBinding } from './dpop-binding.js';

/** One handler per grant type, each in oidc/grant-types/. */
export const grantTypes = new Map<string, GrantTypeHandler>([
  ['client_credentials', clientCredentials],
  ['authorization_code', authorizationCode],
  ['refresh_token', refreshToken],
  ['password', password],
  [TOKEN_EXCHANGE, tokenExchange],
  [DEVICE_CODE_GRANT, deviceCode],
]);

/** RFC 8693 2.1 and RFC 8707 2: the parameters that may be given more than once. */
const REPEATABLE = new Set(['audience', 'resource']);

function parseBody(input: EndpointInput): Record<string, unknown> {
  if (input.contentType !== 'application/x-www-form-urlencoded')
    throw oauthError('invalid_request', 'the token endpoint takes application/x-www-form-urlencoded');
  const body = formOf(input);
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v) && !REPEATABLE.has(k)) throw oauthError('invalid_request', 'a parameter was sent more than once');
  }
  return body;
}

function grantType(tenant: TenantContext, body: Record<string, unknown>): GrantTypeHandler {
  const type = body.grant_type;
  if (typeof type !== 'string' || !type) throw oauthError('invalid_request', 'grant_type is required');
  const handler = grantTypes.get(type);
  // A grant the tenant has not switched on does not exist there (it is not in its discovery either).
  if (!handler || (type === 'password' && !passwordGrantEnabled(tenant)) || (type === DEVICE_CODE_GRANT && !deviceFlowEnabled(tenant)))
    throw oauthError('unsupported_grant_type', 'the grant type is not supported');
  return handler;
}

/**
 * Headers of every token endpoint answer, errors included (the route gives them to the
 * pipeline): browser-based public clients redeem codes cross-origin, no cookies involved.
 */
export const TOKEN_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'DPoP-Nonce, WWW-Authenticate',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
} as const;

/** RFC 6749 section 3.2: parse, authenticate the client, check the grant is allowed, run it. */
export const token =
  (rt: Runtime): Endpoint =>
  async (tenant, input): Promise<Answer> => {
    const body = parseBody(input);
    const handler = grantType(tenant, body);
    const { client } = await authenticateClient(rt, tenant, input);
    // A FAPI tenant verifies the request's DPoP proof here; the binding below takes that proof
    // rather than verifying it again (its jti is already in the replay cache).
    const fapiProof = isFapi2(tenant) ? await checkFapiTokenRequest(rt, tenant, input, body.grant_type as string) : undefined;
    if (!client.grantTypes.includes(body.grant_type as string)) {
      throw oauthError('unauthorized_client', 'this client may not use this grant type');
    }
    // The tenant may have narrowed its grant types after the client was registered.
    if (!tenant.settings.allowedGrantTypes.includes(body.grant_type as string)) {
      throw oauthError('unauthorized_client', 'this tenant does not allow this grant type');
    }
    const dpop = await tokenRequestBinding(rt, tenant, client, input, fapiProof);
    return jsonAnswer(await handler({ rt, tenant, client, body, input, dpop }), 200, dpopNonceHeaders(rt, tenant));
  };

const PREFLIGHT = Object.freeze(
  emptyAnswer(204, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, DPoP',
    'Access-Control-Max-Age': '600',
  }),
);

/** CORS preflight for the token endpoint (SPAs with PKCE). */
export const tokenPreflight: Endpoint = () => PREFLIGHT;
