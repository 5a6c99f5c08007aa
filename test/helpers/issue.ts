import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { issueAuthorizationResponse } from '../../src/oidc/issue/authorization-response.js';
import type { AuthorizationDecision, AuthorizationResponseParams, ClaimsRequest } from '../../src/oidc/authorization-result.js';
import type { TenantContext } from '../../src/tenancy/tenant-context.js';
import type { TestServer } from './server.js';

/**
 * Issuing-side test helpers: authorization decisions are built in-process (as the
 * authorization endpoint would after login and consent) and turned into codes/tokens by
 * issueAuthorizationResponse; everything after that goes over real HTTP.
 */

export async function tenantOf(srv: TestServer, slug: string): Promise<TenantContext> {
  const t = await srv.rt.tenants.get(slug);
  if (!t) throw new Error(`no tenant ${slug}`);
  return t;
}

export interface DecisionOptions {
  clientId: string;
  userId: string;
  responseType?: string;
  scopes?: string[];
  redirectUri?: string;
  nonce?: string;
  state?: string;
  codeVerifier?: string | null;
  offlineAccess?: boolean;
  claims?: ClaimsRequest;
  resource?: string[];
  sid?: string;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** RFC 9449 10: bind the code to this DPoP key thumbprint. */
  dpopJkt?: string;
}

export const pkceChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');
export const newVerifier = (): string => randomBytes(32).toString('base64url');

export async function decision(srv: TestServer, slug: string, o: DecisionOptions): Promise<AuthorizationDecision> {
  const tenant = await tenantOf(srv, slug);
  const client = await tenant.store.clients.findByClientId(o.clientId);
  const user = await tenant.store.users.findById(o.userId);
  if (!client || !user) throw new Error('client or user missing');
  const verifier = o.codeVerifier;
  return {
    client,
    user,
    session: {
      sid: o.sid ?? randomBytes(12).toString('base64url'),
      authTime: o.authTime ?? Math.floor(Date.now() / 1000) - 5,
      amr: o.amr ?? ['pwd'],
      acr: o.acr,
    },
    responseType: o.responseType ?? 'code',
    redirectUri: o.redirectUri ?? client.redirectUris[0]!,
    scopes: o.scopes ?? ['openid'],
    claims: o.claims,
    nonce: o.nonce,
    codeChallenge: verifier ? pkceChallenge(verifier) : undefined,
    codeChallengeMethod: verifier ? 'S256' : undefined,
    offlineAccess: o.offlineAccess ?? false,
    resource: o.resource,
    dpopJkt: o.dpopJkt,
    state: o.state,
  };
}

export async function issue(srv: TestServer, slug: string, o: DecisionOptions): Promise<AuthorizationResponseParams> {
  const tenant = await tenantOf(srv, slug);
  return issueAuthorizationResponse(srv.rt, tenant, await decision(srv, slug, o));
}

export interface IssuedCode {
  code: string;
  verifier: string;
  nonce: string;
  redirectUri: string;
  /** The redirect the browser would land on: redirect_uri?code=…&iss=… */
  callback: URL;
}

/** A code as the authorization endpoint would return it (PKCE S256 and a nonce by default). */
export async function issueCode(srv: TestServer, slug: string, o: DecisionOptions): Promise<IssuedCode> {
  const verifier = o.codeVerifier === null ? '' : (o.codeVerifier ?? newVerifier());
  const nonce = o.nonce ?? randomBytes(12).toString('base64url');
  const d = await decision(srv, slug, { ...o, nonce, codeVerifier: verifier || null });
  const params = await issueAuthorizationResponse(srv.rt, await tenantOf(srv, slug), d);
  const callback = new URL(d.redirectUri);
  callback.searchParams.set('code', params.code!);
  if (o.state) callback.searchParams.set('state', o.state);
  callback.searchParams.set('iss', srv.issuer(slug));
  return { code: params.code!, verifier, nonce, redirectUri: d.redirectUri, callback };
}

/** An openid-client configuration from the tenant's discovery document. */
export async function rp(
  srv: TestServer,
  slug: string,
  clientId: string,
  metadata: Partial<oidc.ClientMetadata> = {},
  auth?: oidc.ClientAuth,
): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(srv.issuer(slug)), clientId, metadata, auth, { execute: [oidc.allowInsecureRequests] });
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A raw token request; `auth` = [id, secret] for client_secret_basic. */
export async function tokenRequest(
  srv: TestServer,
  slug: string,
  params: Record<string, string>,
  auth?: [string, string],
): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = basic(auth[0], auth[1]);
  const res = await fetch(`${srv.issuer(slug)}/token`, { method: 'POST', headers, body: new URLSearchParams(params) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

export async function redeem(
  srv: TestServer,
  slug: string,
  c: IssuedCode,
  auth: [string, string],
  extra: Record<string, string> = {},
): Promise<HttpResult> {
  const params: Record<string, string> = { grant_type: 'authorization_code', code: c.code, redirect_uri: c.redirectUri };
  if (c.verifier) params.code_verifier = c.verifier;
  return tokenRequest(srv, slug, { ...params, ...extra }, auth);
}

export type UserinfoMode = 'get-header' | 'post-header' | 'post-form';

export async function userinfo(srv: TestServer, slug: string, token: string, mode: UserinfoMode = 'get-header'): Promise<HttpResult> {
  const url = `${srv.issuer(slug)}/userinfo`;
  let res: Response;
  if (mode === 'get-header') res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  else if (mode === 'post-header') res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  else
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token }),
    });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

export const decodePayload = (jwt: string): Record<string, any> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
export const decodeHeader = (jwt: string): Record<string, any> =>
  JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, any>;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
