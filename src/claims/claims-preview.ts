import { randomBytes } from 'node:crypto';
import { buildAccessTokenClaims } from './access-token-claims.js';
import { buildIdTokenClaims } from './id-token-claims.js';
import type { ClaimFailure } from './pipeline.js';
import { subjectFor } from './subject.js';
import { buildUserinfoClaims } from './userinfo-claims.js';
import type { RequestedClaims } from './user-claims.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { InputError, NotFoundError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';

/** ID token claims that depend on the particular login and request, not on the user, client and scopes. */
export const PREVIEW_OMITTED_ID_TOKEN_CLAIMS = [
  'iat',
  'exp',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
] as const;
/** Access token claims that depend on the particular issuance (time, token id, grant). */
export const PREVIEW_OMITTED_ACCESS_TOKEN_CLAIMS = ['iat', 'exp', 'jti', 'auth_time', 'acr', 'gid', 'act'] as const;

const RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

export interface PreviewInput {
  userId: string;
  clientId: string;
  scopes: string[];
  /** The flow to preview (default `code`): it decides where the scopes' claims go (OIDC Core 5.4). */
  responseType?: string | null;
  /** A `claims` request parameter (OIDC Core 5.5). */
  claims?: { id_token?: RequestedClaims | null; userinfo?: RequestedClaims | null } | null;
}

export interface ClaimsPreviewResult {
  sub: string;
  /** Null when no ID token would be issued (no openid scope). */
  idToken: Record<string, unknown> | null;
  /** The access token's claims (its JWT payload; for an opaque token what it stands for). Null when the flow returns none. */
  accessToken: Record<string, unknown> | null;
  accessTokenFormat: 'JWT' | 'OPAQUE';
  /** Null when userinfo would not answer (no openid scope or no access token). */
  userinfo: Record<string, unknown> | null;
  omittedIdTokenClaims: string[];
  omittedAccessTokenClaims: string[];
  failures: ClaimFailure[];
}

const without = (o: Record<string, unknown>, names: readonly string[]): Record<string, unknown> => {
  const out = { ...o };
  for (const n of names) delete out[n];
  return out;
};

/**
 * What the ID token, the access token and userinfo would contain for a user, client and
 * scopes, without a login: the same builders the endpoints use (claims/id-token-claims.ts,
 * access-token-claims.ts, userinfo-claims.ts) run for real — resolvers, webhooks and hooks
 * included — and only the claims that depend on the login or the moment are left out.
 */
export async function previewClaims(rt: Runtime, tenant: TenantContext, input: PreviewInput): Promise<ClaimsPreviewResult> {
  const responseType = (input.responseType ?? 'code')
    .split(' ')
    .filter(Boolean)
    .sort((a, b) => ['code', 'id_token', 'token'].indexOf(a) - ['code', 'id_token', 'token'].indexOf(b))
    .join(' ');
  if (!RESPONSE_TYPES.includes(responseType))
    throw new InputError('responseType', `must be one of ${RESPONSE_TYPES.join(', ')}`, 'invalid_request');
  const [user, client] = await Promise.all([tenant.store.users.findById(input.userId), rt.clients.find(tenant, input.clientId)]);
  if (!user) throw new NotFoundError(`user ${input.userId}`);
  if (!client) throw new NotFoundError(`client ${input.clientId}`);
  const scopes = [...new Set(input.scopes)];
  const refused = scopes.filter((s) => !client.scopes.includes(s));
  if (refused.length) throw new InputError('scopes', `the client may not request: ${refused.join(' ')}`, 'invalid_request');

  const failures: ClaimFailure[] = [];
  const onFailure = (f: ClaimFailure) => failures.push(f);
  const parts = new Set(responseType.split(' '));
  const withAccessToken = parts.has('code') || parts.has('token');
  const openid = scopes.includes('openid');
  const sub = subjectFor(rt, tenant, client, user);
  const now = Math.floor(Date.now() / 1000);

  const idToken = openid
    ? without(
        (await buildIdTokenClaims(rt, tenant, {
          client,
          user,
          sub,
          authTime: now,
          scopes,
          // As the endpoints do: the scopes' claims go in the ID token only when no access token comes with it.
          scopeClaims: !withAccessToken,
          requestedClaims: input.claims?.id_token ?? null,
          issuer: tenant.issuer,
          idTokenTtl: tenant.settings.idTokenTtl,
          now,
          onFailure,
          preview: true,
        })) as Record<string, unknown>,
        PREVIEW_OMITTED_ID_TOKEN_CLAIMS,
      )
    : null;
  const accessToken = withAccessToken
    ? without(
        (await buildAccessTokenClaims(rt, tenant, {
          client,
          sub,
          scopes,
          audience: [],
          user,
          issuer: tenant.issuer,
          now,
          expiresIn: tenant.settings.accessTokenTtl,
          jti: randomBytes(16).toString('base64url'),
          onFailure,
          preview: true,
        })) as Record<string, unknown>,
        PREVIEW_OMITTED_ACCESS_TOKEN_CLAIMS,
      )
    : null;
  const userinfo =
    openid && withAccessToken
      ? await buildUserinfoClaims(rt, tenant, {
          user,
          client,
          scopes,
          requested: input.claims?.userinfo ?? null,
          sub,
          onFailure,
          preview: true,
        })
      : null;
  return {
    sub,
    idToken,
    accessToken,
    accessTokenFormat: client.accessTokenFormat === 'opaque' ? 'OPAQUE' : 'JWT',
    userinfo,
    omittedIdTokenClaims: [...PREVIEW_OMITTED_ID_TOKEN_CLAIMS],
    omittedAccessTokenClaims: [...PREVIEW_OMITTED_ACCESS_TOKEN_CLAIMS],
    failures,
  };
}
