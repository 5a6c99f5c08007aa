import { protocolClaims, standardScopes, standardUserClaims } from '../claims/standard-claims.js';
import { signingAlgs } from '../config/defaults.js';
import { DEVICE_CODE_GRANT, DEVICE_PAGE_PATH, deviceFlowEnabled } from '../device-authorizations/device-flow.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export { DEVICE_CODE_GRANT, deviceFlowEnabled };

/**
 * What the provider implements now. Discovery is built from this and nothing else, so
 * it never announces a feature that does not work; each feature adds itself here.
 */
export const capabilities = {
  grantTypes: [
    'client_credentials',
    'authorization_code',
    'refresh_token',
    'implicit',
    'urn:ietf:params:oauth:grant-type:token-exchange',
  ] as string[],
  tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as string[],
  /** Introspection (oidc/introspection.ts) answers authenticated clients only: not `none`. */
  introspectionAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as string[],
  /** Revocation (oidc/revocation.ts): public clients revoke their own tokens too (RFC 7009 5). */
  revocationAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as string[],
  /** Client assertion algorithms: HMAC for client_secret_jwt, the rest for private_key_jwt. */
  tokenEndpointAuthSigningAlgs: [
    'HS256',
    'HS384',
    'HS512',
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
  ] as string[],
  /**
   * Every tenant-key algorithm the provider implements; discovery announces only those of
   * the tenant's key families (keys/families.ts algsOf), plus HS256 for ID tokens.
   */
  signingAlgs: [...signingAlgs] as string[],
  subjectTypes: ['public', 'pairwise'] as string[],
  scopes: [...standardScopes] as string[],
  claims: [...protocolClaims, ...standardUserClaims] as string[],
  /** Authorization endpoint (oidc/authorize/): every OIDC response type, in normalised order. */
  responseTypes: ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as string[],
  responseModes: ['query', 'fragment', 'form_post'] as string[],
  promptValues: ['none', 'login', 'consent', 'select_account'] as string[],
  codeChallengeMethods: ['S256'] as string[],
  /** The login and consent pages are written in English only. */
  uiLocales: ['en'] as string[],
  /** Only normal claims: no aggregated or distributed claims. */
  claimTypes: ['normal'] as string[],
  /** Front-Channel Logout 1.0 (oidc/end-session/front-channel.ts), with `iss` and `sid`. */
  frontchannelLogout: true,
  /** Back-Channel Logout 1.0 (oidc/end-session/back-channel.ts); logout tokens always carry `sid`. */
  backchannelLogout: true,
};

/**
 * The resource owner password grant exists only at tenants that switch it on
 * (settings.passwordGrant) and allow it: elsewhere discovery omits it and the token
 * endpoint answers unsupported_grant_type.
 */
export const passwordGrantEnabled = (tenant: TenantContext): boolean =>
  tenant.settings.passwordGrant === true && tenant.settings.allowedGrantTypes.includes('password');

/** The grant types a tenant announces. */
export const grantTypesFor = (tenant: TenantContext): string[] => [
  ...capabilities.grantTypes,
  ...(passwordGrantEnabled(tenant) ? ['password'] : []),
  ...(deviceFlowEnabled(tenant) ? [DEVICE_CODE_GRANT] : []),
];

/** Endpoint paths below the issuer. */
export const paths = {
  discovery: '/.well-known/openid-configuration',
  oauthMetadata: '/.well-known/oauth-authorization-server',
  jwks: '/jwks',
  authorize: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  registration: '/register',
  /** RFC 7662 (oidc/introspection.ts). */
  introspection: '/introspect',
  /** RFC 7009 (oidc/revocation.ts). */
  revocation: '/revoke',
  /** RP-Initiated Logout 1.0 (oidc/end-session/). */
  endSession: '/end_session',
  /** Session Management 1.0 (oidc/check-session.ts). */
  checkSession: '/check_session',
  /** RFC 8628 3.1 (oidc/device/). */
  deviceAuthorization: '/device/auth',
  /** RFC 8628 3.3: the verification_uri, a page (interaction/device/). */
  devicePage: DEVICE_PAGE_PATH,
  /** RFC 9126 Pushed Authorization Requests (oidc/par/). */
  par: '/par',
} as const;
