import type { ClientRecord, ClientType } from './client-record.js';
import { InputError } from '../errors/domain-errors.js';

/**
 * The rules for client metadata, shared by the admin API and dynamic registration so
 * that a client is valid or not in the same way on both surfaces.
 */
export const SUPPORTED_GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'implicit',
  'password',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;
export const SUPPORTED_RESPONSE_TYPES = [
  'code',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
] as const;
export const CONFIDENTIAL_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const;
export const ID_TOKEN_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const;
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;

/** scope-token of RFC 6749 section 3.3. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** The client fields an admin or a registering client sets (the rest are the provider's). */
export type ClientMetadata = Pick<
  ClientRecord,
  | 'name'
  | 'clientType'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'grantTypes'
  | 'responseTypes'
  | 'scopes'
  | 'tokenEndpointAuthMethod'
  | 'idTokenSignedResponseAlg'
  | 'requireConsent'
  | 'reuseConsent'
  | 'accessTokenFormat'
>;

export type ClientMetadataInput = Partial<ClientMetadata> & { name: string; clientType: ClientType };

/** Normalises a canonical response type: `token id_token` and `id_token token` are the same. */
export function normalizeResponseType(rt: string): string {
  const order = ['code', 'id_token', 'token'];
  const parts = rt.trim().split(/\s+/);
  return parts.sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(' ');
}

export function validateRedirectUri(uri: string, field: string, index = 0): string {
  const which = `entry ${index}`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InputError(field, `${which} is not an absolute URI`, 'invalid_redirect_uri');
  }
  if (url.hash || uri.includes('#')) throw new InputError(field, `${which} must not contain a fragment`, 'invalid_redirect_uri');
  if (/[*]/.test(url.hostname)) throw new InputError(field, `${which} must not contain wildcards`, 'invalid_redirect_uri');
  if (['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) {
    throw new InputError(field, `${which} uses a scheme that is not allowed`, 'invalid_redirect_uri');
  }
  // Stored exactly as given: matching at the authorization endpoint is exact string comparison.
  return uri;
}

/** Full validation with the createClient defaults (docs/administering.md). */
export function resolveClientMetadata(input: ClientMetadataInput): ClientMetadata {
  const name = input.name.trim();
  if (!name || name.length > 200) throw new InputError('name', 'must be 1-200 characters');
  if (input.clientType !== 'CONFIDENTIAL' && input.clientType !== 'PUBLIC')
    throw new InputError('clientType', 'must be CONFIDENTIAL or PUBLIC');
  const isPublic = input.clientType === 'PUBLIC';

  const grantTypes = uniq(input.grantTypes ?? ['authorization_code', 'refresh_token']);
  for (const [i, g] of grantTypes.entries()) {
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(g))
      throw new InputError('grantTypes', `entry ${i} is not a supported grant type`);
  }
  if (isPublic && grantTypes.includes('client_credentials'))
    throw new InputError('grantTypes', 'a public client cannot use client_credentials');

  const defaultResponseTypes = grantTypes.includes('authorization_code') ? ['code'] : [];
  const responseTypes = uniq((input.responseTypes ?? defaultResponseTypes).map(normalizeResponseType));
  // Values are named by their index (from 0), never quoted: these messages reach the registration endpoint too.
  for (const [i, rt] of responseTypes.entries()) {
    const field = 'responseTypes';
    const which = `entry ${i}`;
    if (!(SUPPORTED_RESPONSE_TYPES as readonly string[]).includes(rt))
      throw new InputError(field, `${which} is not a supported response type`);
    if (rt.includes('code') && !grantTypes.includes('authorization_code')) {
      throw new InputError(field, `${which} needs the authorization_code grant type`);
    }
    if ((rt.includes('token') || rt === 'id_token') && rt !== 'code' && !rt.startsWith('code') && !grantTypes.includes('implicit')) {
      throw new InputError(field, `${which} needs the implicit grant type`);
    }
    if (rt.startsWith('code ') && !grantTypes.includes('implicit'))
      throw new InputError(field, `${which} is a hybrid response type and needs the implicit grant type`);
  }
  if (grantTypes.includes('authorization_code') && !responseTypes.some((r) => r.includes('code'))) {
    throw new InputError('responseTypes', 'the authorization_code grant needs a response type containing code');
  }

  const redirectUris = uniq(input.redirectUris ?? []).map((u, i) => validateRedirectUri(u, 'redirectUris', i));
  if (responseTypes.length > 0 && redirectUris.length === 0)
    throw new InputError('redirectUris', 'at least one redirect URI is required for browser flows', 'invalid_redirect_uri');
  const postLogoutRedirectUris = uniq(input.postLogoutRedirectUris ?? []).map((u, i) =>
    validateRedirectUri(u, 'postLogoutRedirectUris', i),
  );

  const scopes = uniq(input.scopes ?? [...STANDARD_SCOPES]);
  for (const [i, s] of scopes.entries()) if (!SCOPE_TOKEN.test(s)) throw new InputError('scopes', `entry ${i} is not a valid scope token`);

  const method = input.tokenEndpointAuthMethod ?? (isPublic ? 'none' : 'client_secret_basic');
  if (isPublic && method !== 'none') throw new InputError('tokenEndpointAuthMethod', 'a public client authenticates with "none"');
  if (!isPublic && !(CONFIDENTIAL_AUTH_METHODS as readonly string[]).includes(method)) {
    throw new InputError('tokenEndpointAuthMethod', `must be one of ${CONFIDENTIAL_AUTH_METHODS.join(', ')}`);
  }

  const alg = input.idTokenSignedResponseAlg ?? 'RS256';
  if (!(ID_TOKEN_ALGS as readonly string[]).includes(alg))
    throw new InputError('idTokenSignedResponseAlg', `must be one of ${ID_TOKEN_ALGS.join(', ')}`);
  if (alg === 'HS256' && isPublic)
    throw new InputError('idTokenSignedResponseAlg', 'HS256 needs a client secret; a public client has none');

  const accessTokenFormat = input.accessTokenFormat ?? 'jwt';
  if (accessTokenFormat !== 'jwt' && accessTokenFormat !== 'opaque') throw new InputError('accessTokenFormat', 'must be jwt or opaque');

  return {
    name,
    clientType: input.clientType,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    responseTypes,
    scopes,
    tokenEndpointAuthMethod: method,
    idTokenSignedResponseAlg: alg,
    requireConsent: input.requireConsent ?? true,
    reuseConsent: input.reuseConsent ?? true,
    accessTokenFormat,
  };
}

/** A symmetric algorithm verifies with the secret itself, so an encrypted copy must be kept. */
export const needsSecretCopy = (m: Pick<ClientMetadata, 'tokenEndpointAuthMethod' | 'idTokenSignedResponseAlg'>): boolean =>
  m.tokenEndpointAuthMethod === 'client_secret_jwt' || m.idTokenSignedResponseAlg === 'HS256';

function uniq(list: string[]): string[] {
  return [...new Set(list)];
}
