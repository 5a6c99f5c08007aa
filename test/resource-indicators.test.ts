import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { requireAccessToken } from '../src/resource-server/index.js';
import { createClient, createTenant, createUser, gqlOk, type CreatedClient } from './helpers/admin.js';
import { RP } from './helpers/authorize-fixture.js';
import { Browser, runFlow } from './helpers/browser-fetch.js';
import { oauthErrorOf } from './helpers/refused.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * RFC 8707 resource indicators with per-tenant resource servers, driven by openid-client 6
 * (`resource` in the authorization URL and in token requests): the access token's `aud` is
 * the resource, its scopes what the resource accepts, its format and lifetime the resource
 * server's; unknown, not-allowed and not-granted resources are invalid_target; a refresh
 * narrows to one granted resource; a token for A is refused at B (the resource-server
 * middleware, and what introspection tells B).
 */
const T = 'rico';
const OFF = 'rioff';
const A = 'https://a.rico.example/';
const B = 'https://b.rico.example/';
const C = 'https://c.rico.example/';
const PASSWORD = 'resource indicators 123';

let srv: TestServer;
let web: CreatedClient;
let svc: CreatedClient;
let bApi: CreatedClient;
let offSvc: CreatedClient;
let api: Server;
let apiUrl: string;

const config = (tenant: string, c: CreatedClient): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(tenant)), c.clientId, { redirect_uris: [RP] }, oidc.ClientSecretBasic(c.clientSecret!), {
    execute: [oidc.allowInsecureRequests],
  });

async function callApi(path: string, token: string): Promise<{ status: number; challenge: string | null }> {
  const res = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

before(async () => {
  srv = await startTestServer({ label: 'resourceind' });
  await createTenant(srv, T, 'Resource Co');
  await createTenant(srv, OFF, 'No Resources Co', { settings: { resourceIndicators: false } });
  web = await createClient(srv, T, {
    name: 'Web',
    clientType: 'CONFIDENTIAL',
    redirectUris: [RP],
    scopes: ['openid', 'profile', 'offline_access', 'api:read', 'api:write', 'b:read'],
  });
  const cc = { clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], scopes: ['api:read', 'api:write', 'b:read', 'other'] };
  svc = await createClient(srv, T, { name: 'Service', ...cc });
  bApi = await createClient(srv, T, { name: 'API B (introspects)', ...cc, canIntrospect: true });
  offSvc = await createClient(srv, OFF, { name: 'Service', ...cc });
  await createUser(srv, T, 'rose', PASSWORD, { name: 'Rose' });
  const create = `mutation($t: String!, $i: CreateResourceServerInput!) { createResourceServer(tenant: $t, input: $i) { identifier } }`;
  await gqlOk(srv, create, { t: T, i: { identifier: A, name: 'API A', scopes: ['api:read', 'api:write'], accessTokenTtl: 300 } });
  await gqlOk(srv, create, { t: T, i: { identifier: B, name: 'API B', scopes: ['b:read'], accessTokenFormat: 'OPAQUE' } });
  await gqlOk(srv, create, { t: T, i: { identifier: C, scopes: ['api:read'], allowedClients: [bApi.clientId] } });
  await gqlOk(srv, create, { t: OFF, i: { identifier: A, scopes: ['api:read'] } });

  const issuer = srv.issuer(T);
  const introspection = { clientId: bApi.clientId, clientSecret: bApi.clientSecret!, always: true };
  const app = express();
  const ok = (_req: express.Request, res: express.Response) => res.json({ ok: true });
  app.get('/a', requireAccessToken({ issuer, resource: A }), ok);
  app.get('/b', requireAccessToken({ issuer, resource: B, introspection }), ok);
  app.get('/a-introspecting', requireAccessToken({ issuer, resource: A, introspection }), ok);
  app.get('/default', requireAccessToken({ issuer }), ok);
  api = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => api.once('listening', () => resolve()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await srv?.close();
});

describe('discovery', () => {
  test('announced exactly where resourceIndicators is on', async () => {
    assert.equal((await config(T, svc)).serverMetadata().resource_indicators_supported, true);
    assert.equal((await config(OFF, offSvc)).serverMetadata().resource_indicators_supported, undefined);
  });
});

describe('client_credentials', () => {
  test('a JWT for resource A: aud A, only the scopes A accepts, A’s lifetime', async () => {
    const tokens = await oidc.clientCredentialsGrant(await config(T, svc), { scope: 'api:read b:read other', resource: A });
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, A);
    assert.equal(claims.scope, 'api:read');
    assert.equal(tokens.scope, 'api:read');
    assert.equal(tokens.expires_in, 300);
    assert.equal(claims.exp! - claims.iat!, 300);
  });

  test('an opaque token for resource B; introspection reports aud B', async () => {
    const cfg = await config(T, svc);
    const tokens = await oidc.clientCredentialsGrant(cfg, { resource: B });
    assert.equal(tokens.access_token.split('.').length, 1, 'B wants opaque tokens');
    assert.equal(tokens.scope, 'b:read');
    const seen = await oidc.tokenIntrospection(await config(T, bApi), tokens.access_token);
    assert.equal(seen.active, true);
    assert.equal(seen.aud, B);
    assert.equal(seen.scope, 'b:read');
  });

  test('invalid_target: unknown resource, a resource the client may not use, a fragment, too many', async () => {
    const cfg = await config(T, svc);
    assert.equal(await oauthErrorOf(oidc.clientCredentialsGrant(cfg, { resource: 'https://unknown.rico.example/' })), 'invalid_target');
    assert.equal(await oauthErrorOf(oidc.clientCredentialsGrant(cfg, { resource: C })), 'invalid_target');
    assert.equal(await oauthErrorOf(oidc.clientCredentialsGrant(cfg, { resource: `${A}#x` })), 'invalid_target');
    const many = new URLSearchParams(Array.from({ length: 11 }, (_, i): [string, string] => ['resource', `https://r${i}.example/`]));
    assert.equal(await oauthErrorOf(oidc.clientCredentialsGrant(cfg, many)), 'invalid_target');
    // The client allowed to use C gets it.
    assert.equal(decodeJwt((await oidc.clientCredentialsGrant(await config(T, bApi), { resource: C })).access_token).aud, C);
  });

  test('without resource the token is for the tenant itself, as before', async () => {
    const tokens = await oidc.clientCredentialsGrant(await config(T, svc), { scope: 'api:read other' });
    assert.equal(decodeJwt(tokens.access_token).aud, srv.issuer(T));
    assert.equal(tokens.scope, 'api:read other');
  });

  test('resourceIndicators off: resource is ignored and not checked', async () => {
    const cfg = await config(OFF, offSvc);
    const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'api:read', resource: 'https://unknown.example/' });
    assert.equal(decodeJwt(tokens.access_token).aud, srv.issuer(OFF));
  });
});

describe('a token for resource A used at resource B', () => {
  test('the middleware of B (and of an API that names no resource) refuses it; A accepts it', async () => {
    const forA = (await oidc.clientCredentialsGrant(await config(T, svc), { resource: A })).access_token;
    assert.equal((await callApi('/a', forA)).status, 200);
    const atB = await callApi('/b', forA);
    assert.equal(atB.status, 401);
    assert.match(atB.challenge ?? '', /error="invalid_token"/);
    assert.equal((await callApi('/default', forA)).status, 401);
  });

  test('introspection’s view: it reports the audience, so an API that introspects refuses an opaque token for another resource', async () => {
    const forB = (await oidc.clientCredentialsGrant(await config(T, svc), { resource: B })).access_token;
    assert.equal((await callApi('/b', forB)).status, 200);
    const seen = await oidc.tokenIntrospection(await config(T, bApi), forB);
    assert.equal(seen.active, true);
    assert.equal(seen.aud, B);
    const atA = await callApi('/a-introspecting', forB);
    assert.equal(atA.status, 401);
    assert.match(atA.challenge ?? '', /error="invalid_token"/);
    // Without introspection an opaque token cannot be checked at all.
    assert.equal((await callApi('/a', forB)).status, 401);
  });
});

describe('authorization code and refresh', () => {
  let cfg: oidc.Configuration;

  async function signIn(resources: string[], scope: string): Promise<{ landed: URL; verifier: string; state: string; nonce: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const params = new URLSearchParams({
      redirect_uri: RP,
      scope,
      state,
      nonce,
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    for (const r of resources) params.append('resource', r);
    const end = await runFlow(new Browser(), oidc.buildAuthorizationUrl(cfg, params).href, {
      username: 'rose',
      password: PASSWORD,
      consent: 'allow',
    });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    return { landed: new URL((end as { url: string }).url), verifier, state, nonce };
  }

  before(async () => {
    cfg = await config(T, web);
  });

  test('resource at authorize and token: aud A, the scopes A accepts; the ID token is untouched; refresh narrows', async () => {
    const s = await signIn([A, B], 'openid profile offline_access api:read b:read');
    const tokens = await oidc.authorizationCodeGrant(
      cfg,
      s.landed,
      { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce },
      { resource: A },
    );
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, A);
    assert.equal(at.scope, 'api:read');
    assert.equal(tokens.expires_in, 300);
    assert.ok(tokens.id_token, 'openid was granted: an ID token still comes');
    assert.equal(tokens.claims()!.aud, web.clientId);
    assert.ok(tokens.refresh_token);

    // Refresh for B: the other granted resource, in B's format.
    const toB = await oidc.refreshTokenGrant(cfg, tokens.refresh_token, { resource: B });
    assert.equal(toB.access_token.split('.').length, 1);
    assert.equal(toB.scope, 'b:read');
    const seen = await oidc.tokenIntrospection(await config(T, bApi), toB.access_token);
    assert.equal(seen.aud, B);

    // A resource that was not granted (C), or unknown: invalid_target, and the refresh token is not spent by it.
    assert.equal(await oauthErrorOf(oidc.refreshTokenGrant(cfg, toB.refresh_token!, { resource: C })), 'invalid_target');
    assert.equal(
      await oauthErrorOf(oidc.refreshTokenGrant(cfg, toB.refresh_token!, { resource: 'https://unknown.rico.example/' })),
      'invalid_target',
    );
    const back = await oidc.refreshTokenGrant(cfg, toB.refresh_token!, { resource: A, scope: 'openid api:read' });
    assert.equal(decodeJwt(back.access_token).aud, A);
    assert.equal(back.scope, 'api:read');

    // No resource: a token for every granted resource (opaque, since B wants opaque), with the scopes they accept.
    const both = await oidc.refreshTokenGrant(cfg, back.refresh_token!);
    const all = await oidc.tokenIntrospection(await config(T, bApi), both.access_token);
    assert.deepEqual([all.aud].flat().sort(), [A, B]);
    assert.equal(both.scope, 'api:read b:read');
  });

  test('a token request may not name a resource the authorization request did not', async () => {
    const s = await signIn([A], 'openid api:read');
    const refused = oidc.authorizationCodeGrant(
      cfg,
      s.landed,
      { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce },
      { resource: B },
    );
    assert.equal(await oauthErrorOf(refused), 'invalid_target');
    // Refused before the code was spent: the same code still works with a granted resource.
    const tokens = await oidc.authorizationCodeGrant(
      cfg,
      s.landed,
      { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce },
      { resource: A },
    );
    assert.equal(decodeJwt(tokens.access_token).aud, A);
  });

  test('with one resource at authorize and none at the token request, the token is for it', async () => {
    const s = await signIn([A], 'openid api:read');
    const tokens = await oidc.authorizationCodeGrant(cfg, s.landed, {
      pkceCodeVerifier: s.verifier,
      expectedState: s.state,
      expectedNonce: s.nonce,
    });
    assert.equal(decodeJwt(tokens.access_token).aud, A);
  });

  test('invalid_target at authorize: unknown, and not allowed for this client (an error redirect)', async () => {
    for (const resource of ['https://unknown.rico.example/', C]) {
      const url = oidc.buildAuthorizationUrl(cfg, { redirect_uri: RP, scope: 'openid', resource, state: 'st' });
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 303);
      const location = new URL(res.headers.get('location')!);
      assert.equal(`${location.origin}${location.pathname}`, RP);
      assert.equal(location.searchParams.get('error'), 'invalid_target');
    }
  });
});

describe('admin changes reach the protocol at once', () => {
  test('a deleted resource server is invalid_target from then on; a changed one issues its new format', async () => {
    const D = 'https://d.rico.example/';
    await gqlOk(
      srv,
      `mutation($t: String!, $i: CreateResourceServerInput!) { createResourceServer(tenant: $t, input: $i) { identifier } }`,
      {
        t: T,
        i: { identifier: D, scopes: ['api:read'] },
      },
    );
    const cfg = await config(T, svc);
    assert.equal(decodeJwt((await oidc.clientCredentialsGrant(cfg, { resource: D })).access_token).aud, D);
    await gqlOk(
      srv,
      `mutation($t: String!, $id: String!, $i: UpdateResourceServerInput!) { updateResourceServer(tenant: $t, identifier: $id, input: $i) { identifier } }`,
      { t: T, id: D, i: { accessTokenFormat: 'OPAQUE' } },
    );
    assert.equal((await oidc.clientCredentialsGrant(cfg, { resource: D })).access_token.split('.').length, 1);
    await gqlOk(srv, `mutation($t: String!, $id: String!) { deleteResourceServer(tenant: $t, identifier: $id) }`, { t: T, id: D });
    assert.equal(await oauthErrorOf(oidc.clientCredentialsGrant(cfg, { resource: D })), 'invalid_target');
  });
});
