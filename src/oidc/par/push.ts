import { pushedRequestDefaults } from '../../config/defaults.js';
import { oauthError } from '../../errors/oauth-error.js';
import { pushRequest } from '../../pushed-requests/index.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { readParams, type AuthorizeContext } from '../authorize/context.js';
import { requestSteps } from '../authorize/request-steps.js';

/** Client authentication travels with the pushed request but is not part of it (never stored). */
const CLIENT_AUTH_PARAMS = ['client_secret', 'client_assertion', 'client_assertion_type'];

export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

/**
 * RFC 9126 section 2: (tenant, authenticated client, form body) → request_uri. The
 * parameters are validated by the authorization endpoint's own steps, a `request`
 * object included (RFC 9126 section 3); `request_uri` itself may not be pushed.
 * `dpopProofJkt` is the key of the request's verified DPoP proof (RFC 9449 10.1). Every
 * refusal is thrown as an OAuthError and answered as JSON by the endpoint.
 */
export async function pushAuthorizationRequest(
  rt: Runtime,
  tenant: TenantContext,
  client: ClientRecord,
  body: unknown,
  dpopProofJkt?: string,
): Promise<PushedAuthorizationResponse> {
  const read = readParams(body);
  for (const name of CLIENT_AUTH_PARAMS) read.params.delete(name);
  if (read.params.has('request_uri')) throw oauthError('invalid_request', 'request_uri may not be pushed (RFC 9126 section 2.1)');
  read.params.set('client_id', client.clientId);
  read.repeated.delete('client_id');
  const ctx: AuthorizeContext = { rt, tenant, ...read, client, request: { clientId: client.clientId }, pushed: true, dpopProofJkt };
  for (const step of requestSteps) await step(ctx);
  const { requestUri, expiresIn } = await pushRequest(
    rt,
    tenant,
    client.clientId,
    { params: [...ctx.params], resources: ctx.resources, signed: ctx.signedRequestObject === true },
    pushedRequestDefaults.lifetimeSeconds,
  );
  return { request_uri: requestUri, expires_in: expiresIn };
}
