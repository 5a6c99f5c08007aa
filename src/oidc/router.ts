import express, { Router, type Request, type Response } from 'express';
import { limits } from '../config/defaults.js';
import { oauthError } from '../errors/oauth-error.js';
import type { Runtime } from '../runtime.js';
import { paths } from './capabilities.js';
import { discovery } from './discovery.js';
import { jwks } from './jwks.js';
import { withTenant, type TenantHandler } from './tenant-handler.js';
import { authorize, resume } from './authorize/index.js';
import { token, tokenPreflight } from './token/index.js';
import { userinfo, userinfoPreflight } from './userinfo.js';
import { introspection } from './introspection.js';
import { revocation } from './revocation.js';
import { registrationRouter } from './registration/index.js';
import { endSession } from './end-session/index.js';
import { CHECK_SESSION_ORIGIN_PATH, checkSession, checkSessionOrigin } from './check-session.js';

/** The form parser of every protocol endpoint that takes a form body. */
export const form = express.urlencoded({ extended: false, limit: limits.bodyBytes, parameterLimit: 100 });

/** An endpoint the http layer may serve without the Express router (http/endpoint-fast-path.ts). */
export interface DirectEndpoint {
  method: 'GET' | 'POST';
  path: string;
  /** Whether the body is parsed with `form` first. */
  form: boolean;
  handler: TenantHandler;
}

/**
 * The per-token endpoints: called for every token issued, checked or revoked, by
 * machines, so they are the ones where the router's per-request cost shows. Each is
 * also routed below, with the same handler, for requests the direct path declines.
 */
export function directEndpoints(rt: Runtime): DirectEndpoint[] {
  const userinfoHandler = userinfo(rt);
  return [
    { method: 'POST', path: paths.token, form: true, handler: token(rt) },
    { method: 'POST', path: paths.introspection, form: true, handler: introspection(rt) },
    { method: 'POST', path: paths.revocation, form: true, handler: revocation(rt) },
    { method: 'GET', path: paths.userinfo, form: false, handler: userinfoHandler },
    { method: 'POST', path: paths.userinfo, form: true, handler: userinfoHandler },
  ];
}

const methodNotAllowed =
  (allowed: string) =>
  (_req: Request, res: Response): void => {
    res.setHeader('Allow', allowed);
    const err = oauthError('method_not_allowed', `use ${allowed}`);
    res.status(405).json(err.toJSON());
  };

/** The protocol endpoints of one tenant, mounted below `/t/:slug` by the http layer. */
export function oidcRouter(rt: Runtime): Router {
  const r = Router({ mergeParams: true });
  const handlers = new Map(directEndpoints(rt).map((e) => [`${e.method} ${e.path}`, e.handler]));
  const direct = (method: DirectEndpoint['method'], path: string) => withTenant(handlers.get(`${method} ${path}`)!);
  r.get(paths.discovery, withTenant(discovery));
  r.get(paths.oauthMetadata, withTenant(discovery));
  r.get(paths.jwks, withTenant(jwks(rt.keyRings)));
  r.get(paths.authorize, withTenant(authorize(rt)));
  r.post(paths.authorize, form, withTenant(authorize(rt)));
  r.get(`${paths.authorize}/resume/:uid`, withTenant(resume(rt)));
  r.all(paths.authorize, methodNotAllowed('GET, POST'));
  r.options(paths.token, withTenant(tokenPreflight));
  r.post(paths.token, form, direct('POST', paths.token));
  r.options(paths.userinfo, withTenant(userinfoPreflight));
  r.get(paths.userinfo, direct('GET', paths.userinfo));
  r.post(paths.userinfo, form, direct('POST', paths.userinfo));
  r.all(paths.userinfo, methodNotAllowed('GET, POST'));
  r.post(paths.introspection, form, direct('POST', paths.introspection));
  r.all(paths.introspection, methodNotAllowed('POST'));
  // Single-page apps revoke cross-origin at logout: the same preflight answer as the token endpoint's.
  r.options(paths.revocation, withTenant(tokenPreflight));
  r.post(paths.revocation, form, direct('POST', paths.revocation));
  r.all(paths.revocation, methodNotAllowed('POST'));
  r.use(registrationRouter(rt));
  r.get(paths.endSession, withTenant(endSession(rt)));
  r.post(paths.endSession, form, withTenant(endSession(rt)));
  r.all(paths.endSession, methodNotAllowed('GET, POST'));
  r.get(paths.checkSession, withTenant(checkSession(rt)));
  r.all(paths.checkSession, methodNotAllowed('GET'));
  r.post(CHECK_SESSION_ORIGIN_PATH, form, withTenant(checkSessionOrigin(rt)));
  r.all(CHECK_SESSION_ORIGIN_PATH, methodNotAllowed('POST'));
  r.all(paths.registration, methodNotAllowed('POST'));
  r.all(paths.token, methodNotAllowed('POST'));
  r.all([paths.discovery, paths.jwks], methodNotAllowed('GET'));
  return r;
}
