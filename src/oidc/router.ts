import type { Runtime } from '../runtime.js';
import { paths } from './capabilities.js';
import { discovery } from './discovery.js';
import type { EndpointRoute } from './endpoint.js';
import { jwks } from './jwks.js';
import { authorize, resume } from './authorize/index.js';
import { token, tokenPreflight, TOKEN_HEADERS } from './token/index.js';
import { userinfo, userinfoPreflight, USERINFO_HEADERS } from './userinfo.js';
import { introspection, INTROSPECTION_HEADERS } from './introspection.js';
import { revocation, REVOCATION_HEADERS } from './revocation.js';
import { registrationRoutes } from './registration/index.js';
import { endSession } from './end-session/index.js';
import { CHECK_SESSION_ORIGIN_PATH, checkSession, checkSessionOrigin } from './check-session.js';
import { DEVICE_AUTHORIZATION_HEADERS, deviceAuthorization } from './device/device-authorization.js';
import { par, PAR_HEADERS } from './par/index.js';

/**
 * The protocol routes of one tenant: method and path below the issuer to an endpoint
 * (oidc/endpoint.ts). The http layer builds its route table from this list once
 * (http/route-table.ts): a path listed here answers 405 with `Allow` for other methods.
 */
const NO_STORE = { 'Cache-Control': 'no-store' } as const;

export function oidcRoutes(rt: Runtime): EndpointRoute[] {
  const userinfoEndpoint = userinfo(rt);
  return [
    { method: 'GET', path: paths.discovery, endpoint: discovery },
    { method: 'GET', path: paths.oauthMetadata, endpoint: discovery },
    { method: 'GET', path: paths.jwks, endpoint: jwks(rt.keyRings) },
    { method: 'POST', path: paths.token, endpoint: token(rt), body: 'form', headers: TOKEN_HEADERS },
    { method: 'OPTIONS', path: paths.token, endpoint: tokenPreflight },
    { method: 'GET', path: paths.userinfo, endpoint: userinfoEndpoint, headers: USERINFO_HEADERS },
    { method: 'POST', path: paths.userinfo, endpoint: userinfoEndpoint, body: 'form', headers: USERINFO_HEADERS },
    { method: 'OPTIONS', path: paths.userinfo, endpoint: userinfoPreflight },
    { method: 'POST', path: paths.introspection, endpoint: introspection(rt), body: 'form', headers: INTROSPECTION_HEADERS },
    { method: 'POST', path: paths.revocation, endpoint: revocation(rt), body: 'form', headers: REVOCATION_HEADERS },
    // Single-page apps revoke cross-origin at logout: the same preflight answer as the token endpoint's.
    { method: 'OPTIONS', path: paths.revocation, endpoint: tokenPreflight },
    { method: 'GET', path: paths.authorize, endpoint: authorize(rt) },
    { method: 'POST', path: paths.authorize, endpoint: authorize(rt), body: 'form' },
    { method: 'GET', path: `${paths.authorize}/resume/:uid`, endpoint: resume(rt) },
    { method: 'GET', path: paths.endSession, endpoint: endSession(rt) },
    { method: 'POST', path: paths.endSession, endpoint: endSession(rt), body: 'form' },
    { method: 'GET', path: paths.checkSession, endpoint: checkSession(rt) },
    { method: 'POST', path: CHECK_SESSION_ORIGIN_PATH, endpoint: checkSessionOrigin(rt), body: 'form', headers: NO_STORE },
    ...registrationRoutes(rt),
    // RFC 8628 3.1 (oidc/device/).
    {
      method: 'POST',
      path: paths.deviceAuthorization,
      endpoint: deviceAuthorization(rt),
      body: 'form',
      headers: DEVICE_AUTHORIZATION_HEADERS,
    },
    { method: 'POST', path: paths.par, endpoint: par(rt), body: 'form', headers: PAR_HEADERS },
  ];
}
