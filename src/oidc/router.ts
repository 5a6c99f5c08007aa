import express, { Router } from 'express';
import { limits } from '../config/defaults.js';
import type { Runtime } from '../runtime.js';
import { paths } from './capabilities.js';
import { discovery } from './discovery.js';
import type { EndpointRoute } from './endpoint.js';
import { jwks } from './jwks.js';
import { withTenant } from './tenant-handler.js';
import { authorize, resume } from './authorize/index.js';
import { token, tokenPreflight, TOKEN_HEADERS } from './token/index.js';
import { userinfo, userinfoPreflight, USERINFO_HEADERS } from './userinfo.js';
import { introspection, INTROSPECTION_HEADERS } from './introspection.js';
import { revocation, REVOCATION_HEADERS } from './revocation.js';
import { registrationRouter } from './registration/index.js';
import { endSession } from './end-session/index.js';
import { CHECK_SESSION_ORIGIN_PATH, checkSession, checkSessionOrigin } from './check-session.js';

/**
 * The protocol routes of one tenant: method and path below the issuer to an endpoint
 * (oidc/endpoint.ts). The http layer builds its route table from this list once
 * (http/route-table.ts): a path listed here answers 405 with `Allow` for other methods.
 */
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
  ];
}

/** The form parser of the routes still served through Express (below). */
const form = express.urlencoded({ extended: false, limit: limits.bodyBytes, parameterLimit: 100 });

/** Routes not yet converted to endpoints: served by legacyOidcRouter through the pipeline's Express part. */
export const LEGACY_ROUTES: { method: string; path: string }[] = [
  { method: 'GET', path: paths.authorize },
  { method: 'POST', path: paths.authorize },
  { method: 'GET', path: `${paths.authorize}/resume/:uid` },
  { method: 'GET', path: paths.endSession },
  { method: 'POST', path: paths.endSession },
  { method: 'GET', path: paths.checkSession },
  { method: 'POST', path: CHECK_SESSION_ORIGIN_PATH },
  { method: 'POST', path: paths.registration },
  { method: 'GET', path: `${paths.registration}/:clientId` },
  { method: 'PUT', path: `${paths.registration}/:clientId` },
  { method: 'DELETE', path: `${paths.registration}/:clientId` },
];

export function legacyOidcRouter(rt: Runtime): Router {
  const r = Router({ mergeParams: true });
  r.get(paths.authorize, withTenant(authorize(rt)));
  r.post(paths.authorize, form, withTenant(authorize(rt)));
  r.get(`${paths.authorize}/resume/:uid`, withTenant(resume(rt)));
  r.use(registrationRouter(rt));
  r.get(paths.endSession, withTenant(endSession(rt)));
  r.post(paths.endSession, form, withTenant(endSession(rt)));
  r.get(paths.checkSession, withTenant(checkSession(rt)));
  r.post(CHECK_SESSION_ORIGIN_PATH, form, withTenant(checkSessionOrigin(rt)));
  return r;
}
