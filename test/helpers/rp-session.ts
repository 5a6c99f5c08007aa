import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { CreatedClient } from './admin.js';
import { Browser, runFlow, type FlowEnd } from './browser-fetch.js';
import type { TestServer } from './server.js';

/**
 * A relying party (openid-client) signing a user in through the cookie-jar browser, for
 * the logout and session management tests: the same browser keeps its tenant session
 * across several clients, as a real one would.
 */
export interface RpClient extends CreatedClient {
  redirectUri: string;
  /** The client's idTokenSignedResponseAlg when not RS256 (openid-client must expect it). */
  idTokenAlg?: string;
}

export async function rpConfig(srv: TestServer, slug: string, client: RpClient): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(srv.issuer(slug)),
    client.clientId,
    { redirect_uris: [client.redirectUri], ...(client.idTokenAlg ? { id_token_signed_response_alg: client.idTokenAlg } : {}) },
    client.clientSecret ? oidc.ClientSecretBasic(client.clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

export interface SignedIn {
  config: oidc.Configuration;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  idToken: string;
  /** sid and sub of the ID token. */
  sid: string;
  sub: string;
  /** The raw authorization response parameters (session_state, iss, state, code). */
  response: URLSearchParams;
}

export interface SignInOptions {
  username: string;
  password: string;
  /** offline_access with prompt=consent: the grant gets a refresh token that survives logout. */
  offline?: boolean;
  extra?: Record<string, string>;
}

/** A code flow with PKCE, completed by the browser (login if needed, consent if asked) and redeemed by openid-client. */
export async function signIn(srv: TestServer, browser: Browser, slug: string, client: RpClient, opts: SignInOptions): Promise<SignedIn> {
  const config = await rpConfig(srv, slug, client);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: opts.offline ? 'openid profile offline_access' : 'openid profile',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(opts.offline ? { prompt: 'consent' } : {}),
    ...opts.extra,
  });
  const end: FlowEnd = await runFlow(browser, url.href, { username: opts.username, password: opts.password, consent: 'allow' });
  assert.equal(end.kind, 'redirect', end.kind === 'page' ? `ended on a page: ${end.page.status} ${end.page.body.slice(0, 300)}` : '');
  const landed = new URL((end as { url: string }).url);
  const tokens = await oidc.authorizationCodeGrant(config, landed, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const idToken = tokens.id_token!;
  const claims = decodeJwt(idToken);
  return { config, tokens, idToken, sid: String(claims.sid), sub: String(claims.sub), response: landed.searchParams };
}

/** prompt=none as an RP checks silently whether the user is still signed in: the error, or null when a code came back. */
export async function silentCheck(srv: TestServer, browser: Browser, slug: string, client: RpClient): Promise<string | null> {
  const config = await rpConfig(srv, slug, client);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: 'openid',
    state: oidc.randomState(),
    prompt: 'none',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const end = await runFlow(browser, url.href);
  assert.equal(end.kind, 'redirect');
  const params = new URL((end as { url: string }).url).searchParams;
  return params.get('error') ?? (params.get('code') ? null : 'no code');
}
