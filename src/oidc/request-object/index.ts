/**
 * Request objects (OIDC Core 6, RFC 9101): (tenant, client, request or request_uri) →
 * authorization request parameters. The authorization endpoint uses it; Pushed
 * Authorization Requests (RFC 9126) can reuse it unchanged.
 */
export { fetchRequestUri } from './fetch-request-uri.js';
export { requestObjectParameters, type RequestObjectParameters } from './parameters.js';
export { verifyRequestObject } from './verify.js';

import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { requestObjectParameters, type RequestObjectParameters } from './parameters.js';
import { verifyRequestObject } from './verify.js';

/** Verifies a request object of the client and returns the parameters it carries. */
export async function readRequestObject(
  rt: Runtime,
  tenant: TenantContext,
  client: ClientRecord,
  raw: string,
): Promise<RequestObjectParameters> {
  return requestObjectParameters(await verifyRequestObject(rt, tenant, client, raw));
}
