import { checkAuthorizationResources } from '../resource-indicators/authorization.js';
import type { AuthorizeContext } from './context.js';

/**
 * RFC 8707: each `resource` names a resource server of the tenant this client may ask
 * for (../resource-indicators/authorization.ts); the grant records them for the token endpoint.
 */
export async function checkResource(ctx: AuthorizeContext): Promise<void> {
  if (ctx.resources.length === 0) return;
  ctx.request.resource = await checkAuthorizationResources(ctx.tenant, ctx.client!.clientId, ctx.resources);
}
