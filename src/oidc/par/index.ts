import type { Request, Response } from 'express';
import { notFound, oauthError } from '../../errors/oauth-error.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { authenticateClient } from '../client-auth.js';
import { parOffered } from './policy.js';
import { pushAuthorizationRequest } from './push.js';

export { parOffered, parRequired, parRequiredByTenant } from './policy.js';

/**
 * POST `{issuer}/par` (RFC 9126): the client authenticates exactly as at the token
 * endpoint (client-auth.ts), the request is validated and stored, and the answer is 201
 * with a one-time request_uri. A thin adapter: the protocol is pushAuthorizationRequest.
 */
export const par =
  (rt: Runtime) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    // Switched off, the endpoint does not exist at this tenant (nor is it in its discovery).
    if (!parOffered(tenant)) throw notFound('pushed authorization requests are not enabled for this tenant');
    if (!req.is('application/x-www-form-urlencoded'))
      throw oauthError('invalid_request', 'the pushed authorization request endpoint takes application/x-www-form-urlencoded');
    const { client } = await authenticateClient(rt, tenant, req);
    res.status(201).json(await pushAuthorizationRequest(rt, tenant, client, req.body));
  };
