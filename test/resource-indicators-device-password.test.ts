import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { DEVICE_CODE_GRANT } from '../src/oidc/capabilities.js';
import { createClient, createTenant, createUser, gqlOk, type CreatedClient } from './helpers/admin.js';
import { approveOnDevicePage } from './helpers/device-page.js';
import { oauthErrorOf } from './helpers/refused.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * RFC 8707 resource indicators where test/resource-indicators.test.ts does not go: the
 * device authorization endpoint with its device_code grant (RFC 8628), and the resource
 * owner password grant. openid-client 6 is the device and the legacy app; the user approves
 * the device on the device page over real HTTP (test/helpers/browser-fetch.ts). Same rules
 * as elsewhere: `aud` is the resource, the scope what it accepts, its format and lifetime;
 * unknown or not-allowed resources are invalid_target; a refresh narrows to a granted one;
 * with the tenant setting off `resource` is ignored.
 */
const T = 'ridp';
const OFF = 'ridpoff';
const A = 'https://a.ridp.example/';
const B = 'https://b.ridp.example/';
const C = 'https://c.ridp.example/';
const PASSWORD = 'resource indicators on the couch';
const COUCH = { username: 'couch', password: PASSWORD };
const TV_SCOPES = ['openid', 'profile', 'offline_access', 'api:read', 'api:write', 'b:read', 'other'];

let srv: TestServer;
let tv: CreatedClient;
let legacy: CreatedClient;
let offTv: CreatedClient;
let offLegacy: CreatedClient;
let cClient: CreatedClient;

const tvConfig = (tenant: string, c: CreatedClient): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(tenant)), c.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });

const appConfig = (tenant: string, c: CreatedClient): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(tenant)), c.clientId, undefined, oidc.ClientSecretBasic(c.clientSecret!), {
    execute: [oidc.allowInsecureRequests],
  });

/** Scope plus any number of `resource` parameters. */
function params(scope: string, resources: string[], extra: Record<string, string> = {}): URLSearchParams {
  const p = new URLSearchParams({ scope, ...extra });
  for (const r of resources) p.append('resource', r);
  return p;
}

/**
 * The device polls once the user has approved: openid-client waits `interval` seconds
 * before each poll, so the test hands it 0 (the first poll is on time for the server).
 */
const pollNow = (cfg: oidc.Configuration, da: oidc.DeviceAuthorizationResponse, extra?: Record<string, string>) =>
  oidc.pollDeviceAuthorizationGrant(cfg, { ...da, interval: 0 }, extra);

before(async () => {
  srv = await startTestServer({ label: 'resource-device-password' });
  const settings = { devicePollingInterval: 1, passwordGrant: true };
  await createTenant(srv, T, 'Resource Devices Co', { settings });
  await createTenant(srv, OFF, 'No Resources Devices Co', { settings: { ...settings, resourceIndicators: false } });
  for (const slug of [T, OFF]) await createUser(srv, slug, 'couch', PASSWORD, { name: 'Couch Potato' });
  const tvInput = { name: 'Living Room TV', clientType: 'PUBLIC', grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], scopes: TV_SCOPES };
  const legacyInput = {
    name: 'Legacy app',
    clientType: 'CONFIDENTIAL',
    responseTypes: [],
    grantTypes: ['password', 'refresh_token'],
    scopes: TV_SCOPES,
  };
  tv = await createClient(srv, T, tvInput);
  legacy = await createClient(srv, T, legacyInput);
  cClient = await createClient(srv, T, { ...legacyInput, name: 'The one client C allows' });
  offTv = await createClient(srv, OFF, tvInput);
  offLegacy = await createClient(srv, OFF, legacyInput);
  const create = `mutation($t: String!, $i: CreateResourceServerInput!) { createResourceServer(tenant: $t, input: $i) { identifier } }`;
  await gqlOk(srv, create, { t: T, i: { identifier: A, name: 'API A', scopes: ['api:read', 'api:write'], accessTokenTtl: 300 } });
  await gqlOk(srv, create, { t: T, i: { identifier: B, name: 'API B', scopes: ['b:read'], accessTokenFormat: 'OPAQUE' } });
  await gqlOk(srv, create, { t: T, i: { identifier: C, scopes: ['api:read'], allowedClients: [cClient.clientId] } });
  await gqlOk(srv, create, { t: OFF, i: { identifier: A, scopes: ['api:read'] } });
});

after(() => srv?.close());

describe('device authorization grant', () => {
  test('a device granted A and B gets a JWT for A (aud, scope, lifetime), then refreshes to an opaque token for B', async () => {
    const cfg = await tvConfig(T, tv);
    const da = await oidc.initiateDeviceAuthorization(cfg, params('openid offline_access api:read b:read other', [A, B]));
    await approveOnDevicePage(da, COUCH);
    const tokens = await pollNow(cfg, da, { resource: A });
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, A);
    assert.equal(claims.scope, 'api:read');
    assert.equal(tokens.scope, 'api:read', 'the response names the access token’s scopes');
    assert.equal(tokens.expires_in, 300);
    assert.equal(claims.exp! - claims.iat!, 300);
    assert.ok(tokens.id_token && tokens.refresh_token);

    // The refresh narrows to the other granted resource; one not granted is invalid_target and spends nothing.
    assert.equal(await oauthErrorOf(oidc.refreshTokenGrant(cfg, tokens.refresh_token!, { resource: C })), 'invalid_target');
    const forB = await oidc.refreshTokenGrant(cfg, tokens.refresh_token!, { resource: B });
    assert.equal(forB.access_token.split('.').length, 1, 'B wants opaque tokens');
    assert.equal(forB.scope, 'b:read');
    // Without resource: the token is for every granted resource, opaque as one of them asks.
    const forBoth = await oidc.refreshTokenGrant(cfg, forB.refresh_token!);
    assert.equal(forBoth.access_token.split('.').length, 1);
    assert.equal(forBoth.scope, 'api:read b:read');
  });

  test('without resource at the token request the token is for the granted one; a resource not granted is invalid_target and spends nothing', async () => {
    const cfg = await tvConfig(T, tv);
    const da = await oidc.initiateDeviceAuthorization(cfg, params('api:read api:write b:read', [A]));
    await approveOnDevicePage(da, COUCH);
    assert.equal(await oauthErrorOf(pollNow(cfg, da, { resource: B })), 'invalid_target');
    srv.clock.advance(1_000); // the refused poll took its slot: the next one waits the interval
    const tokens = await pollNow(cfg, da);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, A);
    assert.equal(tokens.scope, 'api:read api:write');
  });

  test('a device with no resource gets a token for the tenant, as before', async () => {
    const cfg = await tvConfig(T, tv);
    const da = await oidc.initiateDeviceAuthorization(cfg, { scope: 'openid api:read other' });
    await approveOnDevicePage(da, COUCH);
    const tokens = await pollNow(cfg, da);
    assert.equal(decodeJwt(tokens.access_token).aud, srv.issuer(T));
    assert.equal(tokens.scope, 'openid api:read other');
  });

  test('invalid_target at the device authorization endpoint (JSON): unknown, not for this client, a fragment, relative, too many', async () => {
    const cfg = await tvConfig(T, tv);
    for (const resource of ['https://unknown.ridp.example/', C, `${A}#x`, '/relative']) {
      assert.equal(await oauthErrorOf(oidc.initiateDeviceAuthorization(cfg, params('api:read', [resource]))), 'invalid_target', resource);
    }
    const many = Array.from({ length: 11 }, (_, i) => `https://r${i}.ridp.example/`);
    assert.equal(await oauthErrorOf(oidc.initiateDeviceAuthorization(cfg, params('api:read', many))), 'invalid_target');
    // Raw: the answer is a 400 with the OAuth error JSON, no redirect.
    const res = await fetch(`${srv.issuer(T)}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: tv.clientId, resource: 'https://unknown.ridp.example/' }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_target');
    // Other parameters still may not repeat.
    const twice = params('api:read', [A]);
    twice.append('scope', 'b:read');
    assert.equal(await oauthErrorOf(oidc.initiateDeviceAuthorization(cfg, twice)), 'invalid_request');
  });

  test('resourceIndicators off: resource is ignored at the device endpoint and at the token endpoint', async () => {
    const cfg = await tvConfig(OFF, offTv);
    const da = await oidc.initiateDeviceAuthorization(cfg, params('api:read', ['https://unknown.example/', A]));
    await approveOnDevicePage(da, COUCH);
    const tokens = await pollNow(cfg, da, { resource: 'https://elsewhere.example/' });
    assert.equal(decodeJwt(tokens.access_token).aud, srv.issuer(OFF));
    assert.equal(tokens.scope, 'api:read');
  });
});

describe('resource owner password grant', () => {
  const passwordGrant = (cfg: oidc.Configuration, scope: string, resources: string[], password = PASSWORD) =>
    oidc.genericGrantRequest(cfg, 'password', params(scope, resources, { username: 'couch', password }));

  test('a token for resource A: aud A, only the scopes A accepts, A’s lifetime', async () => {
    const tokens = await passwordGrant(await appConfig(T, legacy), 'openid api:read b:read other', [A]);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, A);
    assert.equal(claims.scope, 'api:read');
    assert.equal(tokens.scope, 'api:read');
    assert.equal(tokens.expires_in, 300);
    assert.ok(tokens.id_token, 'the ID token keeps the grant’s scopes');
  });

  test('an opaque token for B; the grant holds A and B, and a refresh narrows to one of them', async () => {
    const cfg = await appConfig(T, legacy);
    const onlyB = await passwordGrant(cfg, 'b:read', [B]);
    assert.equal(onlyB.access_token.split('.').length, 1);
    assert.equal(onlyB.scope, 'b:read');

    const both = await passwordGrant(cfg, 'offline_access api:read b:read', [A, B]);
    assert.ok(both.refresh_token);
    assert.equal(await oauthErrorOf(oidc.refreshTokenGrant(cfg, both.refresh_token!, { resource: C })), 'invalid_target');
    const forA = await oidc.refreshTokenGrant(cfg, both.refresh_token!, { resource: A });
    assert.equal(decodeJwt(forA.access_token).aud, A);
    assert.equal(forA.scope, 'api:read');
    const forB = await oidc.refreshTokenGrant(cfg, forA.refresh_token!, { resource: B });
    assert.equal(forB.access_token.split('.').length, 1);
    assert.equal(forB.scope, 'b:read');
  });

  test('invalid_target: unknown, not for this client, a fragment; checked before the password', async () => {
    const cfg = await appConfig(T, legacy);
    for (const resource of ['https://unknown.ridp.example/', C, `${A}#x`]) {
      assert.equal(await oauthErrorOf(passwordGrant(cfg, 'api:read', [resource])), 'invalid_target', resource);
    }
    assert.equal(await oauthErrorOf(passwordGrant(cfg, 'api:read', ['https://unknown.ridp.example/'], 'wrong')), 'invalid_target');
    // The client C allows gets it.
    assert.equal(decodeJwt((await passwordGrant(await appConfig(T, cClient), 'api:read', [C])).access_token).aud, C);
  });

  test('without resource the token is for the tenant itself, as before', async () => {
    const tokens = await passwordGrant(await appConfig(T, legacy), 'api:read other', []);
    assert.equal(decodeJwt(tokens.access_token).aud, srv.issuer(T));
    assert.equal(tokens.scope, 'api:read other');
  });

  test('resourceIndicators off: resource is ignored and not checked', async () => {
    const tokens = await passwordGrant(await appConfig(OFF, offLegacy), 'api:read', ['https://unknown.example/', A]);
    assert.equal(decodeJwt(tokens.access_token).aud, srv.issuer(OFF));
    assert.equal(tokens.scope, 'api:read');
  });
});
