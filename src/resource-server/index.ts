/**
 * Public entry for resource servers (`gatehouse/resource-server`): accept a tenant's
 * access tokens in an Express API and require scopes. Nothing else of Gatehouse is
 * imported: this runs in the API's process, not in the provider's.
 */
export { AccessTokenError, requireAccessToken } from './require-access-token.js';
export type { DpopOptions, IntrospectionOptions, RequireAccessTokenOptions, VerifiedAccessToken } from './require-access-token.js';
export { memoryJtiCache } from './dpop-replay.js';
