import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { clientCredentials, createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { decodeHeader, decodePayload, issueCode, redeem, rp, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { introspect, isActive } from './helpers/token-services.js';
import type { DriverClient } from '../src/store/index.js';

let srv: TestServer;
const T = 'acme';
let alice: string;
let web: [string, string];
let opaque: [string, string];
let rs: [string, string];
let svc: [string, string];
let spaId: string;

before(async () => {
  srv = await startTestServer({ label: 'introspection' });
  await createTenant(srv, T);
  await createTenant(srv, 'other');
  alice = await createUser(srv, T, 'alice', 'correct horse battery', { name: 'Alice' });
  const w = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  web = [w.clientId, w.clientSecret!];
  const o = await createClient(srv, T, {
    name: 'opaque web',
    clientType: 'CONFIDENTIAL',
    redirectUris: ['https://rp.example.com/cb'],
    accessTokenFormat: 'OPAQUE',
  });
  opaque = [o.clientId, o.clientSecret!];
  const r = await createClient(srv, T, {
    name: 'orders API',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
  });
  rs = [r.clientId, r.clientSecret!];
  const s = await createClient(srv, T, {
    name: 'batch job',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
  });
  svc = [s.clientId, s.clientSecret!];
  spaId = (await createClient(srv, T, { name: 'spa', clientType: 'PUBLIC', redirectUris: ['http://localhost:5173/cb'] })).clientId;
});
after(() => srv.close());

const SCOPES = ['openid', 'profile', 'offline_access'];

async function userTokens(client: [string, string] = web, scopes = SCOPES): Promise<Record<string, any>> {
  const c = await issueCode(srv, T, { clientId: client[0], userId: alice, scopes, offlineAccess: scopes.includes('offline_access') });
  const r = await redeem(srv, T, c, client);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function ccToken(slug = T, client = svc): Promise<string> {
  const res = await clientCredentials(srv, slug, client[0], client[1], { scope: 'api:read' });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

test('discovery announces introspection with the authenticated methods only', async () => {
  const meta = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, any>;
  assert.equal(meta.introspection_endpoint, `${srv.issuer(T)}/introspect`);
  assert.ok(meta.introspection_endpoint_auth_methods_supported.includes('client_secret_basic'));
  assert.ok(meta.introspection_endpoint_auth_methods_supported.includes('private_key_jwt'));
  assert.ok(!meta.introspection_endpoint_auth_methods_supported.includes('none'));
  assert.ok(meta.introspection_endpoint_auth_signing_alg_values_supported.includes('RS256'));
});

test('a resource server introspects a user JWT access token with openid-client', async () => {
  const tokens = await userTokens();
  const config = await rp(srv, T, rs[0], { client_secret: rs[1] }, oidc.ClientSecretBasic(rs[1]));
  const info = await oidc.tokenIntrospection(config, tokens.access_token);
  const jwt = decodePayload(tokens.access_token);
  assert.equal(info.active, true);
  assert.equal(info.client_id, web[0]);
  assert.equal(info.sub, jwt.sub);
  assert.equal(info.scope, SCOPES.join(' '));
  assert.equal(info.token_type, 'Bearer');
  assert.equal(info.iss, srv.issuer(T));
  assert.equal(info.exp, jwt.exp);
  assert.equal(info.iat, jwt.iat);
  assert.equal(info.aud, srv.issuer(T));
  assert.equal(info.jti, jwt.jti);
  assert.equal(typeof info.auth_time, 'number');
  assert.equal((info as Record<string, unknown>).username, undefined);
});

test('opaque access tokens and client_credentials tokens are introspected too', async () => {
  const tokens = await userTokens(opaque);
  assert.equal(tokens.access_token.split('.').length, 1);
  const r = await introspect(srv, T, tokens.access_token, rs);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.body.active, true);
  assert.equal(r.body.client_id, opaque[0]);
  assert.equal(r.body.token_type, 'Bearer');
  assert.equal(r.body.scope, SCOPES.join(' '));
  assert.equal(typeof r.body.exp, 'number');

  const cc = await introspect(srv, T, await ccToken(), rs);
  assert.equal(cc.body.active, true);
  assert.equal(cc.body.sub, svc[0]);
  assert.equal(cc.body.client_id, svc[0]);
  assert.equal(cc.body.scope, 'api:read');
});

test('a refresh token is described to its own client only; the hint orders the search, never limits it', async () => {
  const tokens = await userTokens();
  for (const hint of [undefined, 'refresh_token', 'access_token', 'no_such_type']) {
    const r = await introspect(srv, T, tokens.refresh_token, web, hint ? { token_type_hint: hint } : {});
    assert.equal(r.body.active, true, `hint ${hint}`);
    assert.equal(r.body.token_type, 'refresh_token');
    assert.equal(r.body.client_id, web[0]);
    assert.equal(r.body.sub, decodePayload(tokens.access_token).sub);
    assert.equal(r.body.scope, SCOPES.join(' '));
  }
  // The access token with a refresh_token hint is still found.
  assert.equal((await introspect(srv, T, tokens.access_token, web, { token_type_hint: 'refresh_token' })).body.active, true);
  // Another client (even a confidential resource server) learns nothing about it.
  assert.deepEqual((await introspect(srv, T, tokens.refresh_token, rs)).body, { active: false });
});

test('inactive: garbage, an ID token, another tenant, a rotated-out refresh token', async () => {
  const tokens = await userTokens();
  for (const token of ['garbage', 'a'.repeat(43), tokens.id_token, `${tokens.access_token}x`]) {
    assert.deepEqual((await introspect(srv, T, token, rs)).body, { active: false }, token.slice(0, 20));
  }
  // A token of another tenant, introspected here, is unknown here.
  const o = await createClient(srv, 'other', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
  });
  const foreign = await ccToken('other', [o.clientId, o.clientSecret!]);
  assert.equal(await isActive(srv, 'other', foreign, [o.clientId, o.clientSecret!]), true);
  assert.equal(await isActive(srv, T, foreign, rs), false);

  const rotated = await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, web);
  assert.equal(rotated.status, 200);
  assert.equal(await isActive(srv, T, tokens.refresh_token, web), false);
  assert.equal(await isActive(srv, T, rotated.body.refresh_token, web), true);
});

test('inactive once revoked: the grant (JWT, opaque and refresh), the user disabled, the client deleted', async () => {
  const jwt = await userTokens();
  const op = await userTokens(opaque);
  assert.equal(await isActive(srv, T, jwt.access_token, rs), true);
  await gqlOk(srv, `mutation { revokeConsent(tenant: "${T}", userId: "${alice}", clientId: "${web[0]}") }`);
  await gqlOk(srv, `mutation { revokeConsent(tenant: "${T}", userId: "${alice}", clientId: "${opaque[0]}") }`);
  // At once, on the process that revoked.
  assert.equal(await isActive(srv, T, jwt.access_token, rs), false);
  assert.equal(await isActive(srv, T, jwt.refresh_token, web), false);
  assert.equal(await isActive(srv, T, op.access_token, rs), false);
  assert.equal((await userinfo(srv, T, jwt.access_token)).status, 401);

  const gone = await createClient(srv, T, {
    name: 'short-lived',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
  });
  const token = await ccToken(T, [gone.clientId, gone.clientSecret!]);
  assert.equal(await isActive(srv, T, token, rs), true);
  await gqlOk(srv, `mutation { deleteClient(tenant: "${T}", clientId: "${gone.clientId}") }`);
  assert.equal(await isActive(srv, T, token, rs), false);
});

test('inactive once expired: JWT, opaque and refresh tokens', async () => {
  await createTenant(srv, 'brief', 'Brief', { settings: { accessTokenTtl: 4, refreshTokenTtl: 4 } });
  const bob = await createUser(srv, 'brief', 'bob', 'bobs long password');
  const c = await createClient(srv, 'brief', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
  });
  const me: [string, string] = [c.clientId, c.clientSecret!];
  const o = await createClient(srv, 'brief', {
    name: 'app',
    clientType: 'CONFIDENTIAL',
    redirectUris: ['https://rp.example.com/cb'],
    accessTokenFormat: 'OPAQUE',
  });
  const app: [string, string] = [o.clientId, o.clientSecret!];
  const code = await issueCode(srv, 'brief', { clientId: app[0], userId: bob, scopes: SCOPES, offlineAccess: true });
  const user = (await redeem(srv, 'brief', code, app)).body;
  const jwt = await ccToken('brief', me);
  assert.equal(await isActive(srv, 'brief', jwt, me), true);
  assert.equal(await isActive(srv, 'brief', user.access_token, me), true);
  assert.equal(await isActive(srv, 'brief', user.refresh_token, app), true);
  // Past every lifetime: the server's clock moves, nobody waits (test/helpers/clock.ts).
  srv.clock.advance(5_100);
  assert.equal(await isActive(srv, 'brief', jwt, me), false);
  assert.equal(await isActive(srv, 'brief', user.access_token, me), false);
  assert.equal(await isActive(srv, 'brief', user.refresh_token, app), false);
});

test('only authenticated confidential clients may introspect', async () => {
  const { access_token: token } = await userTokens();
  assert.equal((await introspect(srv, T, token, null)).status, 401);
  const wrong = await introspect(srv, T, token, [rs[0], 'not-the-secret']);
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, 'invalid_client');
  const pub = await introspect(srv, T, token, { publicClientId: spaId });
  assert.equal(pub.status, 401);
  assert.equal(pub.body.error, 'invalid_client');
  // client_secret_post works for a client registered for it.
  const post = await createClient(srv, T, {
    name: 'post rs',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    tokenEndpointAuthMethod: 'client_secret_post',
  });
  const viaPost = await introspect(srv, T, token, { postId: post.clientId, postSecret: post.clientSecret! });
  assert.equal(viaPost.body.active, true);
  const missing = await introspect(srv, T, '', rs);
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error, 'invalid_request');
  assert.equal((await fetch(`${srv.issuer(T)}/introspect`)).status, 405);
});

test('a JWT access token is introspected from memory: no database round trip once warm', async () => {
  const { access_token: token } = await userTokens();
  // Tenant data queries only (they all carry tenantId); background polls are platform-wide.
  const queries: string[] = [];
  const count = (e: { commandName: string; command: Record<string, any> }) => {
    if (e.command.filter && typeof e.command.filter === 'object' && 'tenantId' in e.command.filter)
      queries.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  };
  const clients: DriverClient[] = [];
  const stop = srv.store.onDriverClient((client) => void clients.push(client.on('commandStarted', count)));
  try {
    assert.equal(await isActive(srv, T, token, rs), true);
    // The code exchange that issued the token brought its grant along (the code carries a copy).
    assert.deepEqual(queries, [], 'cold: the grant record is already known');
    srv.rt.revocations['grantRecords'].clear();
    assert.equal(await isActive(srv, T, token, rs), true);
    assert.deepEqual(queries, ['find grants'], 'evicted: the grant record is read once');
    queries.length = 0;
    for (let i = 0; i < 5; i++) assert.equal(await isActive(srv, T, token, rs), true);
  } finally {
    stop();
    for (const client of clients) client.off('commandStarted', count);
  }
  assert.deepEqual(queries, []);
});

test('a JWT checked before stops being active the moment its signing key is revoked', async () => {
  await createTenant(srv, 'keyrev');
  const c = await createClient(srv, 'keyrev', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api'],
  });
  const me: [string, string] = [c.clientId, c.clientSecret!];
  const res = await tokenRequest(srv, 'keyrev', { grant_type: 'client_credentials', scope: 'api' }, me);
  const token = res.body.access_token as string;
  // Verified and remembered by this process...
  for (let i = 0; i < 3; i++) assert.equal(await isActive(srv, 'keyrev', token, me), true);
  const kid = decodeHeader(token).kid as string;
  await gqlOk(srv, `mutation { revokeSigningKey(tenant: "keyrev", kid: "${kid}") { slug } }`);
  // ...but only against the key ring it was verified with.
  assert.equal(await isActive(srv, 'keyrev', token, me), false);
});
