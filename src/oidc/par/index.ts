import { notFound, oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import { authenticateClient } from '../client-auth.js';
import { formOf, jsonAnswer, type Endpoint } from '../endpoint.js';
import { parOffered } from './policy.js';
import { pushAuthorizationRequest } from './push.js';

export { parOffered, parRequired, parRequiredByTenant } from './policy.js';

/** Headers of every PAR answer, errors included (RFC 9126 section 2.2: not cached). */
export const PAR_HEADERS = { 'Cache-Control': 'no-store' } as const;

/**
 * POST `{issuer}/par` (RFC 9126): the client authenticates exactly as at the token
 * endpoint (client-auth.ts), the request is validated and stored, and the answer is 201
 * with a one-time request_uri. The protocol is pushAuthorizationRequest (push.ts).
 */
export const par =
  (rt: Runtime): Endpoint =>
  async (tenant, input) => {
    // Switched off, the endpoint does not exist at this tenant (nor is it in its discovery).
    if (!parOffered(tenant)) throw notFound('pushed authorization requests are not enabled for this tenant');
    if (input.contentType !== 'application/x-www-form-urlencoded')
      throw oauthError('invalid_request', 'the pushed authorization request endpoint takes application/x-www-form-urlencoded');
    const { client } = await authenticateClient(rt, tenant, input);
    return jsonAnswer(await pushAuthorizationRequest(rt, tenant, client, formOf(input)), 201);
  };
