import { decodeJwt, decodeProtectedHeader } from 'jose';
import { oauthError } from '../../errors/oauth-error.js';
import { fetchRequestUri, readRequestObject, requestObjectParameters } from '../request-object/index.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkResponseMode } from './check-response-mode.js';
import type { AuthorizeContext } from './context.js';

/**
 * OIDC Core 6 / RFC 9101: `request` (by value) or `request_uri` (by reference). The
 * verified object's parameters take precedence over those outside it (OIDC Core
 * 6.3.3); outside ones still count where the object is silent. client_id and
 * response_type, when given in both places, must agree. Runs right after the client is
 * known, before redirect_uri and response_mode are read, so those come from the object.
 */
export async function readRequestObjectStep(ctx: AuthorizeContext): Promise<void> {
  const byValue = ctx.params.get('request');
  const byReference = ctx.params.get('request_uri');
  if (byValue === undefined && byReference === undefined) return;
  let raw: string | undefined;
  try {
    if (ctx.repeated.has('request') || ctx.repeated.has('request_uri'))
      throw oauthError('invalid_request', 'request or request_uri was sent more than once');
    if (byValue !== undefined && byReference !== undefined) throw oauthError('invalid_request', 'use request or request_uri, not both');
    raw = byValue ?? (await fetchRequestUri(ctx.tenant, ctx.client!, byReference!));
    const { params, resources } = await readRequestObject(ctx.rt, ctx.tenant, ctx.client!, raw);
    for (const name of ['client_id', 'response_type']) {
      const outside = ctx.params.get(name);
      if (outside !== undefined && params.has(name) && params.get(name) !== outside) {
        throw oauthError('invalid_request_object', `${name} in the request object differs from the one outside it`);
      }
    }
    for (const [name, value] of params) {
      ctx.params.set(name, value);
      ctx.repeated.delete(name);
    }
    if (resources) ctx.resources = resources;
    // Verified above: an object that is not `alg: none` carries a valid signature.
    ctx.signedRequestObject = decodeProtectedHeader(raw).alg !== 'none';
    ctx.params.delete('request');
    ctx.params.delete('request_uri');
  } catch (err) {
    trustErrorTarget(ctx, raw);
    throw err;
  }
}

/**
 * Where an error about the object goes (OIDC Form Post conformance): when the object
 * (read without trusting its signature) or the outer request names a redirect_uri
 * registered for the client, the error is answered there in the response_mode asked
 * for, as any other error after the redirect URI is known. A registered URI is safe to
 * send an error to whoever wrote the object; otherwise the user sees an error page.
 */
function trustErrorTarget(ctx: AuthorizeContext, raw: string | undefined): void {
  const params = new Map(ctx.params);
  params.delete('request');
  params.delete('request_uri');
  if (raw) {
    try {
      for (const [name, value] of requestObjectParameters(decodeJwt(raw)).params) params.set(name, value);
    } catch {
      // Not even decodable: only the outer parameters can say where to answer.
    }
  }
  const probe: AuthorizeContext = {
    ...ctx,
    params,
    repeated: new Set(ctx.repeated),
    request: {},
    redirectUri: undefined,
    responseMode: undefined,
    state: undefined,
  };
  try {
    checkRedirectUri(probe);
  } catch {
    return;
  }
  try {
    checkResponseMode(probe);
  } catch {
    // An unusable response_mode leaves the default for the response type, set before the check.
  }
  ctx.redirectUri = probe.redirectUri;
  ctx.responseMode = probe.responseMode;
  ctx.state = probe.state;
}
