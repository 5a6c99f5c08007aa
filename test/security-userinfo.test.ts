import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { issueCode, redeem, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Issue 12 finding 9: userinfo only for tokens whose audience is the issuer (docs/security.md "Userinfo audience"). */
const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const T = 'acme';
let srv: TestServer;
let alice: string;
let web: [string, string];

before(async () => {
  srv = await startTestServer({ label: 'sec-userinfo' });
  await createTenant(srv, T, 'Acme', { settings: { allowedAudiences: ['orders-service'] } });
  alice = await createUser(srv, T, 'alice', 'correct horse battery', { name: 'Alice' });
  await gqlOk(
    srv,
    `mutation { createResourceServer(tenant: "${T}", input: { identifier: "https://api.example.com/", scopes: ["profile"] }) { identifier } }`,
  );
  const c = await createClient(srv, T, {
    name: 'web',
    clientType: 'CONFIDENTIAL',
    redirectUris: ['https://rp.example.com/cb'],
    grantTypes: ['authorization_code', TE],
  });
  web = [c.clientId, c.clientSecret!];
});
after(() => srv.close());

async function tokens(resource?: string[]): Promise<Record<string, any>> {
  const r = await redeem(
    srv,
    T,
    await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: ['openid', 'profile'], resource }),
    web,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('the attack: a token-exchange token for aud "orders-service" is refused at userinfo', async () => {
  const subject = await tokens();
  const ex = await tokenRequest(
    srv,
    T,
    { grant_type: TE, subject_token: subject.access_token, subject_token_type: AT, audience: 'orders-service' },
    web,
  );
  assert.equal(ex.status, 200, JSON.stringify(ex.body));
  for (const mode of ['get-header', 'post-header', 'post-form'] as const) {
    const r = await userinfo(srv, T, ex.body.access_token, mode);
    assert.equal(r.status, 401, mode);
    assert.match(r.headers.get('www-authenticate') ?? '', /invalid_token/);
  }
});

test('a token issued for an RFC 8707 resource is not a userinfo token either', async () => {
  const r = await userinfo(srv, T, (await tokens(['https://api.example.com/'])).access_token);
  assert.equal(r.status, 401);
});

test('a token for the issuer (the default audience) still works', async () => {
  const r = await userinfo(srv, T, (await tokens()).access_token);
  assert.equal(r.status, 200);
  assert.equal(r.body.name, 'Alice');
});
