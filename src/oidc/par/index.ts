import { notFound, oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import { paths } from '../capabilities.js';
import { authenticateClient } from '../client-auth.js';
import { checkDpopProof, dpopNonceHeaders, dpopOffered } from '../dpop/index.js';
import { formOf, jsonAnswer, type Endpoint } from '../endpoint.js';
import { parOffered } from './policy.js';
import { pushAuthorizationRequest } from './push.js';

export { parOffered, parRequired, parRequiredByTenant } from './policy.js';

/** Headers of every PAR answer, errors included (RFC 9126 section 2.2: not cached). */
export const PAR_HEADERS = { 'Cache-Control': 'no-store' } as const;

/**
 * POST `{issuer}/par` (RFC 9126): the client authenticates exactly as at the token
 * endpoint (client-auth.ts), the request is validated and stored, and the answer is 201
 * with a one-time request_uri. The protocol is pushAuthorizationRequest (push.ts). A DPoP
 * proof, checked as at the token endpoint (after client authentication, `htu` the PAR URL,
 * nonces included), binds the code to its key (RFC 9449 10.1; authorize/check-dpop-jkt.ts).
 */
export const par =
  (rt: Runtime): Endpoint =>
  async (tenant, input) => {
    // Switched off, the endpoint does not exist at this tenant (nor is it in its discovery).
    if (!parOffered(tenant)) throw notFound('pushed authorization requests are not enabled for this tenant');
    if (input.contentType !== 'application/x-www-form-urlencoded')
      throw oauthError('invalid_request', 'the pushed authorization request endpoint takes application/x-www-form-urlencoded');
    const { client } = await authenticateClient(rt, tenant, input);
    const offered = dpopOffered(tenant);
    const proof = offered
      ? await checkDpopProof(rt, tenant, { header: input.headers.dpop, method: input.method, path: paths.par }, 'token')
      : undefined;
    const pushed = await pushAuthorizationRequest(rt, tenant, client, formOf(input), proof?.jkt);
    return jsonAnswer(pushed, 201, offered ? dpopNonceHeaders(rt, tenant) : undefined);
  };
