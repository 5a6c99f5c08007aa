import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { issueCode, redeem, tokenRequest } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { introspect } from './helpers/token-services.js';

/** Issue 12 finding 8: who may introspect which token (docs/security.md "Introspection access"). */
const T = 'open';
let srv: TestServer;
let alice: string;
let web: [string, string];
let rs: [string, string];
let plain: [string, string];

before(async () => {
  srv = await startTestServer({ label: 'sec-introspect' });
  await createTenant(srv, T, 'Open', { dynamicRegistration: 'OPEN', settings: { allowedAudiences: ['plain-app'] } });
  alice = await createUser(srv, T, 'alice', 'correct horse battery');
  const mk = async (input: Record<string, unknown>): Promise<[string, string]> => {
    const c = await createClient(srv, T, { clientType: 'CONFIDENTIAL', ...input });
    return [c.clientId, c.clientSecret!];
  };
  web = await mk({
    name: 'web',
    redirectUris: ['https://rp.example.com/cb'],
    grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
  });
  rs = await mk({ name: 'api', grantTypes: ['client_credentials'], responseTypes: [], scopes: [] });
  plain = await mk({
    name: 'plain app',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: [],
    canIntrospect: false,
    clientId: 'plain-app',
  });
});
after(() => srv.close());

async function userToken(): Promise<string> {
  const r = await redeem(srv, T, await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: ['openid'] }), web);
  assert.equal(r.status, 200);
  return r.body.access_token;
}

async function registerAnonymously(): Promise<[string, string]> {
  const res = await fetch(`${srv.issuer(T)}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'anyone', redirect_uris: ['https://anyone.example.com/cb'] }),
  });
  const body = (await res.json()) as Record<string, string>;
  assert.equal(res.status, 201, JSON.stringify(body));
  return [body.client_id!, body.client_secret!];
}

const canIntrospect = async (clientId: string): Promise<boolean> =>
  (
    await gqlOk<{ client: { canIntrospect: boolean } }>(
      srv,
      `query($t: String!, $c: String!) { client(tenant: $t, clientId: $c) { canIntrospect } }`,
      { t: T, c: clientId },
    )
  ).client.canIntrospect;

test("the attack: an anonymously registered client introspects another client's token and learns nothing", async () => {
  const token = await userToken();
  const anyone = await registerAnonymously();
  const r = await introspect(srv, T, token, anyone);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { active: false });
  assert.equal(await canIntrospect(anyone[0]), false);
});

test('a client marked as introspector (the default for admin-created confidential clients) sees any token', async () => {
  assert.equal(await canIntrospect(rs[0]), true);
  const r = await introspect(srv, T, await userToken(), rs);
  assert.equal(r.body.active, true);
  assert.equal(r.body.client_id, web[0]);
});

test('without canIntrospect: only its own tokens and those naming it in their audience', async () => {
  const token = await userToken();
  assert.deepEqual((await introspect(srv, T, token, plain)).body, { active: false });
  // The token's own client may always ask about it, and so may its audience.
  assert.equal((await introspect(srv, T, token, web)).body.active, true);
  const forPlain = await tokenRequest(
    srv,
    T,
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'plain-app',
    },
    web,
  );
  assert.equal(forPlain.status, 200, JSON.stringify(forPlain.body));
  assert.equal((await introspect(srv, T, forPlain.body.access_token, plain)).body.active, true);
  const anyone = await registerAnonymously();
  await gqlOk(
    srv,
    `mutation($t: String!, $c: String!) { updateClient(tenant: $t, clientId: $c, input: { canIntrospect: true }) { canIntrospect } }`,
    { t: T, c: anyone[0] },
  );
  assert.equal((await introspect(srv, T, token, anyone)).body.active, true, 'an operator can make a registered client a resource server');
});
