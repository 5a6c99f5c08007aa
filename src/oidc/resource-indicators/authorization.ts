import { oauthError } from '../../errors/oauth-error.js';
import { mayRequest, resourceServersOf } from '../../resources/directory.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { requestedResources } from './requested.js';

/**
 * RFC 8707 at an endpoint that starts an authorization (authorize, and PAR which checks
 * the same request before storing it): every `resource` must be a resource server of the
 * tenant that this client may ask for, else invalid_target. Returns the resources the
 * grant will hold; the token endpoint later issues tokens for them only
 * (./token-target.ts). Empty when the tenant has resourceIndicators off.
 */
export async function checkAuthorizationResources(tenant: TenantContext, clientId: string, value: unknown): Promise<string[]> {
  const resources = requestedResources(tenant, value);
  if (!resources.length) return [];
  const servers = await resourceServersOf(tenant);
  for (const r of resources) {
    const rs = servers.get(r);
    if (!rs) throw oauthError('invalid_target', 'the resource is not known in this tenant');
    if (!mayRequest(rs, clientId)) throw oauthError('invalid_target', 'this client may not ask for the resource');
  }
  return resources;
}
