import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { clientCredentials, createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { issueCode, redeem, rp, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';
import { eventually, isActive, revoke } from './helpers/token-services.js';

// Two replicas on one database: `a` is where things are revoked, `b` must follow within
// the cache sync interval (0.2 s in tests) and `a` at once.
let a: TestServer;
let b: TestServer;
const T = 'acme';
let alice: string;
let web: [string, string];
let opaque: [string, string];
let other: [string, string];
let rs: [string, string];
let svc: [string, string];
let spaId: string;

before(async () => {
  const dbName = testDatabaseName('revocation');
  const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') };
  a = await startTestServer({ dbName, env });
  // One deployment: the same public URL (so the same issuers) behind two processes.
  b = await startTestServer({ dbName, env: { ...env, PUBLIC_URL: a.url } });
  await createTenant(a, T);
  alice = await createUser(a, T, 'alice', 'correct horse battery', { name: 'Alice' });
  const mk = async (input: Record<string, unknown>): Promise<[string, string]> => {
    const c = await createClient(a, T, input);
    return [c.clientId, c.clientSecret!];
  };
  web = await mk({ name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  opaque = await mk({
    name: 'opaque web',
    clientType: 'CONFIDENTIAL',
    redirectUris: ['https://rp.example.com/cb'],
    accessTokenFormat: 'OPAQUE',
  });
  other = await mk({ name: 'other', clientType: 'CONFIDENTIAL', redirectUris: ['https://other.example.com/cb'] });
  rs = await mk({ name: 'api', clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], responseTypes: [], scopes: ['api:read'] });
  svc = await mk({ name: 'job', clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], responseTypes: [], scopes: ['api:read'] });
  spaId = (await createClient(a, T, { name: 'spa', clientType: 'PUBLIC', redirectUris: ['http://localhost:5173/cb'] })).clientId;
});
after(async () => {
  await a.close();
  await b.close();
});

const SCOPES = ['openid', 'profile', 'offline_access'];

async function userTokens(client: [string, string] = web): Promise<Record<string, any>> {
  const c = await issueCode(a, T, { clientId: client[0], userId: alice, scopes: SCOPES, offlineAccess: true });
  const r = await redeem(a, T, c, client);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function ccToken(client = svc): Promise<string> {
  const res = await clientCredentials(a, T, client[0], client[1], { scope: 'api:read' });
  return ((await res.json()) as { access_token: string }).access_token;
}

const refresh = (token: string, client: [string, string] = web) =>
  tokenRequest(a, T, { grant_type: 'refresh_token', refresh_token: token }, client);

test('discovery announces revocation for every auth method, none included', async () => {
  const meta = (await (await fetch(`${a.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, any>;
  assert.equal(meta.revocation_endpoint, `${a.issuer(T)}/revoke`);
  assert.ok(meta.revocation_endpoint_auth_methods_supported.includes('none'));
  assert.ok(meta.revocation_endpoint_auth_methods_supported.includes('client_secret_basic'));
});

test('revoking a refresh token (openid-client) kills its family: every refresh and access token of the grant, on both replicas', async () => {
  const first = await userTokens();
  const second = (await refresh(first.refresh_token)).body;
  assert.ok(second.access_token);
  for (const at of [first.access_token, second.access_token]) assert.equal(await isActive(b, T, at, rs), true);

  const config = await rp(a, T, web[0], { client_secret: web[1] }, oidc.ClientSecretBasic(web[1]));
  await oidc.tokenRevocation(config, second.refresh_token);

  assert.equal((await refresh(second.refresh_token)).body.error, 'invalid_grant');
  for (const at of [first.access_token, second.access_token]) {
    assert.equal((await userinfo(a, T, at)).status, 401);
    assert.equal(await isActive(a, T, at, rs), false, 'at once on the replica that revoked');
    await eventually(async () => !(await isActive(b, T, at, rs)));
    assert.equal((await userinfo(b, T, at)).status, 401);
  }
  assert.equal(await isActive(a, T, second.refresh_token, web), false);
});

test('revoking a JWT access token revokes that token only; the refresh token keeps working', async () => {
  const tokens = await userTokens();
  assert.equal(await isActive(b, T, tokens.access_token, rs), true);
  const r = await revoke(a, T, tokens.access_token, web, { token_type_hint: 'access_token' });
  assert.equal(r.status, 200);
  assert.equal(await isActive(a, T, tokens.access_token, rs), false);
  assert.equal((await userinfo(a, T, tokens.access_token)).status, 401);
  await eventually(async () => (await userinfo(b, T, tokens.access_token)).status === 401);
  const next = await refresh(tokens.refresh_token);
  assert.equal(next.status, 200);
  assert.equal((await userinfo(a, T, next.body.access_token)).status, 200);
});

test('opaque access tokens and client_credentials JWTs are revocable, at once and on the other replica', async () => {
  const op = await userTokens(opaque);
  assert.equal(await isActive(b, T, op.access_token, rs), true, 'cached on b before the revocation');
  assert.equal((await revoke(a, T, op.access_token, opaque)).status, 200);
  assert.equal(await isActive(a, T, op.access_token, rs), false);
  assert.equal((await userinfo(a, T, op.access_token)).status, 401);
  await eventually(async () => !(await isActive(b, T, op.access_token, rs)));

  const cc = await ccToken();
  assert.equal(await isActive(b, T, cc, rs), true);
  // A wrong hint does not stop the search.
  assert.equal((await revoke(a, T, cc, svc, { token_type_hint: 'refresh_token' })).status, 200);
  assert.equal(await isActive(a, T, cc, rs), false);
  await eventually(async () => !(await isActive(b, T, cc, rs)));
  assert.equal(await isActive(a, T, await ccToken(), rs), true, 'a new token of the client is unaffected');
});

test('unknown, garbage, already revoked and ID tokens: 200 and nothing happens', async () => {
  const tokens = await userTokens();
  for (const token of ['garbage', 'x'.repeat(43), tokens.id_token, 'a.b.c']) {
    const r = await revoke(a, T, token, web, { token_type_hint: 'whatever' });
    assert.equal(r.status, 200, token.slice(0, 10));
  }
  assert.equal(await isActive(a, T, tokens.access_token, rs), true);
  assert.equal((await revoke(a, T, tokens.refresh_token, web)).status, 200);
  assert.equal((await revoke(a, T, tokens.refresh_token, web)).status, 200, 'revoking twice is fine');
});

test("a client revoking another client's token is refused, and the token stays valid", async () => {
  const tokens = await userTokens();
  for (const token of [tokens.access_token, tokens.refresh_token]) {
    const r = await revoke(a, T, token, other);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'unauthorized_client');
  }
  const pub = await revoke(a, T, tokens.access_token, { publicClientId: spaId });
  assert.equal(pub.body.error, 'unauthorized_client');
  assert.equal(await isActive(a, T, tokens.access_token, rs), true);
  assert.equal((await userinfo(a, T, tokens.access_token)).status, 200);
  assert.equal((await refresh(tokens.refresh_token)).status, 200);
});

test('a public client revokes its own refresh token with client_id only', async () => {
  const c = await issueCode(a, T, { clientId: spaId, userId: alice, scopes: SCOPES, offlineAccess: true });
  const r = await tokenRequest(a, T, {
    grant_type: 'authorization_code',
    code: c.code,
    redirect_uri: c.redirectUri,
    code_verifier: c.verifier,
    client_id: spaId,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const res = await revoke(a, T, r.body.refresh_token, { publicClientId: spaId });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.equal((await userinfo(a, T, r.body.access_token)).status, 401);
  const again = await tokenRequest(a, T, { grant_type: 'refresh_token', refresh_token: r.body.refresh_token, client_id: spaId });
  assert.equal(again.body.error, 'invalid_grant');
});

test('client authentication and the token parameter are required', async () => {
  const { access_token: token } = await userTokens();
  const anon = await revoke(a, T, token, null);
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error, 'invalid_client');
  const bad = await revoke(a, T, token, [web[0], 'wrong-secret']);
  assert.equal(bad.body.error, 'invalid_client');
  const missing = await revoke(a, T, '', web);
  assert.equal(missing.body.error, 'invalid_request');
  assert.equal(await isActive(a, T, token, rs), true);
});

test('GraphQL revokeTokens of a client kills its client_credentials JWTs everywhere; a token issued right after works', async () => {
  const before = await ccToken();
  const user = await userTokens();
  assert.equal(await isActive(b, T, before, rs), true);
  await gqlOk(a, `mutation { revokeTokens(tenant: "${T}", clientId: "${svc[0]}") { grants } }`);
  assert.equal(await isActive(a, T, before, rs), false);
  await eventually(async () => !(await isActive(b, T, before, rs)));
  const after = await ccToken();
  assert.equal(await isActive(a, T, after, rs), true);
  assert.equal(await isActive(b, T, after, rs), true);
  // Other clients' tokens are untouched.
  assert.equal(await isActive(a, T, user.access_token, rs), true);
});
