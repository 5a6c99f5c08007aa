import { oauthError, type OAuthError } from '../../errors/oauth-error.js';
import type { ClientMetadataInput } from '../../clients/client-metadata.js';
import type { ClientRecord } from '../../clients/client-record.js';

/**
 * RFC 7591 client metadata ⇄ Gatehouse clients. Standard fields map onto the client
 * record; the informational ones (client_uri, logo_uri, contacts, …) and those other
 * features read (jwks, jwks_uri, subject_type, logout URIs) are kept under their RFC
 * names in the client's metadata.
 */
const KEPT_STRINGS = [
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'jwks_uri',
  'software_id',
  'software_version',
  'sector_identifier_uri',
  'backchannel_logout_uri',
  'frontchannel_logout_uri',
  'initiate_login_uri',
  // Validated with the client (clients/client-userinfo-metadata.ts).
  'userinfo_signed_response_alg',
] as const;
const KEPT_URIS = new Set([
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'jwks_uri',
  'sector_identifier_uri',
  'backchannel_logout_uri',
  'frontchannel_logout_uri',
  'initiate_login_uri',
]);
const KEPT_BOOLEANS = [
  'backchannel_logout_session_required',
  'frontchannel_logout_session_required',
  // RFC 9126 section 6 and RFC 9101 section 10.5 (oidc/par/).
  'require_pushed_authorization_requests',
  'require_signed_request_object',
] as const;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface RegistrationRequest {
  input: ClientMetadataInput;
  metadata: Record<string, unknown>;
}

const bad = (description: string): OAuthError => oauthError('invalid_client_metadata', description);
const badRedirect = (description: string): OAuthError => oauthError('invalid_redirect_uri', description);

function stringList(body: Record<string, unknown>, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(`${name} must be an array of strings`);
  return v as string[];
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(`${name} must be a string`);
  return v;
}

/**
 * Redirect URIs of dynamically registered clients (OIDC Registration 2, RFC 8252): web
 * clients use https; native clients use a private-use scheme containing a period
 * (reverse domain name) or http on a loopback address.
 */
function checkRedirectUri(uri: string, applicationType: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw badRedirect('a redirect URI is not an absolute URI');
  }
  if (uri.includes('#')) throw badRedirect('a redirect URI must not contain a fragment');
  if (applicationType === 'web') {
    if (url.protocol !== 'https:') throw badRedirect('web clients must use https redirect URIs');
    if (LOOPBACK.has(url.hostname)) throw badRedirect('web clients must not use a loopback host');
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (!LOOPBACK.has(url.hostname)) throw badRedirect('native clients may use http only on a loopback address');
    return;
  }
  if (['javascript:', 'data:', 'file:', 'vbscript:', 'about:'].includes(url.protocol))
    throw badRedirect('a redirect URI uses a forbidden scheme');
  if (!url.protocol.slice(0, -1).includes('.'))
    throw badRedirect('a private-use scheme must be a reverse domain name, e.g. com.example.app:/callback');
}

function checkJwks(jwks: unknown): void {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys))
    throw bad('jwks must be a JWK Set with a keys array');
  for (const key of (jwks as { keys: unknown[] }).keys) {
    if (typeof key !== 'object' || key === null || typeof (key as { kty?: unknown }).kty !== 'string')
      throw bad('every jwks key needs a kty');
    if (PRIVATE_JWK_MEMBERS.some((m) => m in (key as object))) throw bad('jwks must contain public keys only');
  }
}

/** Validates an RFC 7591 request body into client metadata; throws the RFC 7591 error codes. */
export function parseRegistration(body: unknown): RegistrationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const applicationType = optionalString(b, 'application_type') ?? 'web';
  if (applicationType !== 'web' && applicationType !== 'native') throw bad('application_type must be web or native');

  const redirectUris = stringList(b, 'redirect_uris') ?? [];
  for (const uri of redirectUris) checkRedirectUri(uri, applicationType);
  const postLogoutRedirectUris = stringList(b, 'post_logout_redirect_uris');
  for (const uri of postLogoutRedirectUris ?? []) checkRedirectUri(uri, applicationType);

  const method = optionalString(b, 'token_endpoint_auth_method') ?? 'client_secret_basic';
  const scope = optionalString(b, 'scope');
  const input: ClientMetadataInput = {
    name: optionalString(b, 'client_name') ?? 'Unnamed client',
    clientType: method === 'none' ? 'PUBLIC' : 'CONFIDENTIAL',
    redirectUris,
    postLogoutRedirectUris,
    grantTypes: stringList(b, 'grant_types'),
    responseTypes: stringList(b, 'response_types'),
    scopes: scope === undefined ? undefined : scope.split(' ').filter(Boolean),
    tokenEndpointAuthMethod: method,
    idTokenSignedResponseAlg: optionalString(b, 'id_token_signed_response_alg'),
  };

  const metadata: Record<string, unknown> = { application_type: applicationType };
  for (const name of KEPT_STRINGS) {
    const v = optionalString(b, name);
    if (v === undefined) continue;
    if (KEPT_URIS.has(name)) {
      try {
        const u = new URL(v);
        if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
      } catch {
        throw bad(`${name} must be an absolute http(s) URL`);
      }
    }
    metadata[name] = v;
  }
  for (const name of KEPT_BOOLEANS) {
    if (b[name] === undefined) continue;
    if (typeof b[name] !== 'boolean') throw bad(`${name} must be a boolean`);
    metadata[name] = b[name];
  }
  const contacts = stringList(b, 'contacts');
  if (contacts) metadata.contacts = contacts;
  // Request objects (RFC 9101 10.2); validated with the admin API's rules in clients/client-request-metadata.ts.
  const requestUris = stringList(b, 'request_uris');
  if (requestUris) metadata.request_uris = requestUris;
  const requestObjectAlg = optionalString(b, 'request_object_signing_alg');
  if (requestObjectAlg !== undefined) metadata.request_object_signing_alg = requestObjectAlg;
  // DPoP (RFC 9449 5.2); validated with the admin API's rules in clients/client-dpop-metadata.ts.
  if (b.dpop_bound_access_tokens !== undefined) metadata.dpop_bound_access_tokens = b.dpop_bound_access_tokens;
  if (b.jwks !== undefined) {
    if (metadata.jwks_uri) throw bad('jwks and jwks_uri are mutually exclusive');
    checkJwks(b.jwks);
    metadata.jwks = b.jwks;
  }
  const subjectType = optionalString(b, 'subject_type');
  if (subjectType !== undefined) {
    if (subjectType !== 'public' && subjectType !== 'pairwise') throw bad('subject_type must be public or pairwise');
    metadata.subject_type = subjectType;
  }
  if (method === 'private_key_jwt' && !metadata.jwks && !metadata.jwks_uri) throw bad('private_key_jwt needs jwks or jwks_uri');
  return { input, metadata };
}

/** The RFC 7591 section 3.2.1 view of a client. */
export function registrationView(client: ClientRecord): Record<string, unknown> {
  const meta = JSON.parse(client.metadata || '{}') as Record<string, unknown>;
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(new Date(client.createdAt).getTime() / 1000),
    ...(client.clientType === 'CONFIDENTIAL' ? { client_secret_expires_at: 0 } : {}),
    client_name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    ...meta,
  };
}
