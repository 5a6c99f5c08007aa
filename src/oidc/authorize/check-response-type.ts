import { oauthError } from '../../errors/oauth-error.js';
import { SUPPORTED_RESPONSE_TYPES, normalizeResponseType } from '../../clients/client-metadata.js';
import type { AuthorizeContext } from './context.js';

/** The response type must be one we implement and one the client registered. */
export function checkResponseType(ctx: AuthorizeContext): void {
  const raw = ctx.params.get('response_type');
  if (!raw) throw oauthError('invalid_request', 'response_type is missing');
  const type = normalizeResponseType(raw);
  if (new Set(type.split(' ')).size !== type.split(' ').length || !(SUPPORTED_RESPONSE_TYPES as readonly string[]).includes(type)) {
    throw oauthError('unsupported_response_type', 'response_type is not supported');
  }
  if (!ctx.client!.responseTypes.includes(type))
    throw oauthError('unauthorized_client', 'the client is not registered for this response_type');
  // A tenant may forbid a flow for all its clients (tenant setting allowedGrantTypes).
  const allowed = (ctx.tenant.settings as { allowedGrantTypes?: string[] }).allowedGrantTypes;
  const needs = type === 'code' ? ['authorization_code'] : type.startsWith('code') ? ['authorization_code', 'implicit'] : ['implicit'];
  if (allowed && needs.some((g) => !allowed.includes(g)))
    throw oauthError('unauthorized_client', 'this response_type is not allowed in this tenant');
  ctx.request.responseType = type;
}
