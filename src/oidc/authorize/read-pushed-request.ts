import { isPushedRequestUri, takePushedRequest } from '../../pushed-requests/index.js';
import { parOffered } from '../par/policy.js';
import type { AuthorizeContext } from './context.js';
import { pageError } from './page-error.js';

/**
 * RFC 9126 section 4: a request_uri from the PAR endpoint replaces the parameters. Only
 * client_id and request_uri count from the front channel; anything else sent beside
 * them is ignored. The request is taken once, by the client that pushed it, before it
 * expires; otherwise there is no request and so no redirect URI to answer: a page.
 */
export async function readPushedRequest(ctx: AuthorizeContext): Promise<void> {
  const uri = ctx.params.get('request_uri');
  if (uri === undefined || !isPushedRequestUri(uri)) return;
  if (!parOffered(ctx.tenant)) throw pageError('invalid_request_uri', 'pushed authorization requests are not enabled here');
  if (ctx.repeated.has('request_uri')) throw pageError('invalid_request', 'request_uri was sent more than once');
  const pushed = await takePushedRequest(ctx.rt, ctx.tenant, ctx.client!.clientId, uri);
  if (!pushed) throw pageError('invalid_request_uri', 'the request_uri is unknown, expired, already used or belongs to another client');
  ctx.params = new Map(pushed.params);
  ctx.params.set('client_id', ctx.client!.clientId);
  ctx.repeated = new Set();
  ctx.resources = pushed.resources;
  ctx.pushed = true;
  ctx.signedRequestObject = pushed.signed;
}
