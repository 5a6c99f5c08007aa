import { oauthError } from '../errors/oauth-error.js';
import type { Runtime } from '../runtime.js';
import type { RefreshTokenRecord } from '../tokens/refresh-token-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { formOf, type EndpointInput } from './endpoint.js';
import { openRefreshToken } from './issue/refresh-token.js';

/** What the introspection and revocation endpoints are asked about. */
export interface PresentedToken {
  token: string;
  hint: string | undefined;
}

export type TokenKind = 'access_token' | 'refresh_token';

/** RFC 7662 2.1 and RFC 7009 2.1: a form with `token` and optionally `token_type_hint`. */
export function presentedToken(input: EndpointInput): PresentedToken {
  if (input.contentType !== 'application/x-www-form-urlencoded')
    throw oauthError('invalid_request', 'send the token as application/x-www-form-urlencoded');
  const body = formOf(input);
  for (const v of Object.values(body)) {
    if (Array.isArray(v)) throw oauthError('invalid_request', 'a parameter was sent more than once');
  }
  const { token, token_type_hint: hint } = body;
  if (typeof token !== 'string' || !token) throw oauthError('invalid_request', 'token is required');
  return { token, hint: typeof hint === 'string' && hint ? hint : undefined };
}

/**
 * The hint orders the search and never limits it (RFC 7009 2.1: "MUST extend its search
 * across all of its supported token types"); an unknown hint is ignored.
 */
export const searchOrder = (hint: string | undefined): TokenKind[] =>
  hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];

/**
 * A refresh token of this tenant that has not expired, as a record: `rotatedAt` is set if
 * it was spent (exchanged); the caller decides what that means.
 */
export async function findRefreshToken(rt: Runtime, tenant: TenantContext, token: string): Promise<RefreshTokenRecord | null> {
  const claims = openRefreshToken(rt, tenant, token);
  if (!claims || claims.expiresAt.getTime() <= Date.now()) return null;
  const hash = rt.envelope.hashSecret(token);
  const spent = await tenant.store.refreshTokens.findSpent(hash);
  return { _id: hash, tenantId: tenant.id, ...claims, rotatedAt: spent ? (spent.rotatedAt ?? new Date(0)) : null };
}
