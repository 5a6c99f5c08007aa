import type { AuthorizeContext } from './context.js';
import { pageError } from './page-error.js';

/** The client must exist in this tenant; otherwise there is nowhere safe to redirect to. */
export async function checkClient(ctx: AuthorizeContext): Promise<void> {
  if (ctx.repeated.has('client_id')) throw pageError('invalid_request', 'client_id was sent more than once');
  const clientId = ctx.params.get('client_id');
  if (!clientId) throw pageError('invalid_request', 'client_id is missing');
  const client = clientId.length <= 256 ? await ctx.rt.clients.find(ctx.tenant, clientId) : null;
  if (!client) throw pageError('invalid_client', 'the client is not known to this provider');
  ctx.client = client;
  ctx.request.clientId = client.clientId;
}
