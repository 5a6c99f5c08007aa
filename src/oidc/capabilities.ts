import { signingAlgs } from '../config/defaults.js';

/**
 * What the provider implements now. Discovery is built from this and nothing else, so
 * it never announces a feature that does not work; each feature adds itself here.
 */
export const capabilities = {
  grantTypes: ['client_credentials'] as string[],
  tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post'] as string[],
  signingAlgs: [...signingAlgs] as string[],
};

/** Endpoint paths below the issuer. */
export const paths = {
  discovery: '/.well-known/openid-configuration',
  oauthMetadata: '/.well-known/oauth-authorization-server',
  jwks: '/jwks',
  token: '/token',
} as const;
