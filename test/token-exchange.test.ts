import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { clientCredentials, createClient, createTenant, createUser } from './helpers/admin.js';
import { decodePayload, issueCode, redeem, rp, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { introspect, isActive, revoke } from './helpers/token-services.js';

const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const RT = 'urn:ietf:params:oauth:token-type:refresh_token';
const IDT = 'urn:ietf:params:oauth:token-type:id_token';

let srv: TestServer;
const T = 'acme';
let alice: string;
let web: [string, string];
let webx: [string, string];
let gateway: [string, string];
let noperm: [string, string];
let svc: [string, string];
let rs: [string, string];
let spaId: string;

before(async () => {
  srv = await startTestServer({ label: 'token-exchange' });
  await createTenant(srv, T, 'Acme', { settings: { allowedAudiences: ['https://api.example.com/orders', 'orders-service', 'billing'] } });
  alice = await createUser(srv, T, 'alice', 'correct horse battery', { name: 'Alice' });
  const mk = async (input: Record<string, unknown>): Promise<[string, string]> => {
    const c = await createClient(srv, T, input);
    return [c.clientId, c.clientSecret!];
  };
  const cb = ['https://rp.example.com/cb'];
  // The exchange policy (docs/security.md): web's and job's tokens may be exchanged by the gateway.
  gateway = await mk({
    name: 'gateway',
    clientType: 'CONFIDENTIAL',
    grantTypes: [TE, 'refresh_token'],
    responseTypes: [],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
  });
  web = await mk({ name: 'web', clientType: 'CONFIDENTIAL', redirectUris: cb, tokenExchangeClients: [gateway[0]] });
  webx = await mk({
    name: 'web that exchanges',
    clientType: 'CONFIDENTIAL',
    redirectUris: cb,
    grantTypes: ['authorization_code', 'refresh_token', TE],
  });
  noperm = await mk({
    name: 'no permission',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
  });
  svc = await mk({
    name: 'job',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api:read'],
    tokenExchangeClients: [gateway[0]],
  });
  rs = await mk({ name: 'api', clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], responseTypes: [], scopes: [] });
  spaId = (
    await createClient(srv, T, {
      name: 'spa',
      clientType: 'PUBLIC',
      redirectUris: ['http://localhost:5173/cb'],
      grantTypes: ['authorization_code', TE],
    })
  ).clientId;
});
after(() => srv.close());

async function userTokens(client: [string, string] = web, scopes = ['openid', 'profile'], offline = false): Promise<Record<string, any>> {
  const c = await issueCode(srv, T, { clientId: client[0], userId: alice, scopes, offlineAccess: offline });
  const r = await redeem(srv, T, c, client);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function ccToken(client: [string, string]): Promise<string> {
  return ((await (await clientCredentials(srv, T, client[0], client[1], { scope: 'api:read' })).json()) as { access_token: string })
    .access_token;
}

const exchange = (params: Record<string, string>, client: [string, string] = gateway, repeated: [string, string][] = []) => {
  const body = new URLSearchParams({ grant_type: TE, ...params });
  for (const [k, v] of repeated) body.append(k, v);
  return fetch(`${srv.issuer(T)}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client[0]}:${client[1]}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, any> }));
};

test('discovery announces the token exchange grant', async () => {
  const meta = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, any>;
  assert.ok(meta.grant_types_supported.includes(TE));
});

test('a permitted client exchanges a user access token (openid-client): a token of its own for the same user', async () => {
  const subject = await userTokens();
  const config = await rp(srv, T, gateway[0], { client_secret: gateway[1] }, oidc.ClientSecretBasic(gateway[1]));
  const res = await oidc.genericGrantRequest(config, TE, { subject_token: subject.access_token, subject_token_type: AT });
  assert.equal(res.issued_token_type, AT);
  assert.equal(res.token_type, 'bearer');
  assert.equal(res.scope, 'openid profile');
  const claims = decodePayload(res.access_token);
  const original = decodePayload(subject.access_token);
  assert.equal(claims.client_id, gateway[0]);
  assert.equal(claims.sub, original.sub);
  assert.ok(claims.exp <= original.exp, 'never outlives the subject token');
  assert.equal(claims.act, undefined);
  const info = await userinfo(srv, T, res.access_token);
  assert.equal(info.status, 200);
  assert.equal(info.body.name, 'Alice');
  const intro = await introspect(srv, T, res.access_token, rs);
  assert.equal(intro.body.active, true);
  assert.equal(intro.body.client_id, gateway[0]);
});

test('without the grant type in its grantTypes a client gets unauthorized_client', async () => {
  const subject = await userTokens();
  const r = await exchange({ subject_token: subject.access_token, subject_token_type: AT }, noperm);
  assert.equal(r.status, 400);
  assert.equal(r.body.error, 'unauthorized_client');
  const webTry = await exchange({ subject_token: subject.access_token, subject_token_type: AT }, web);
  assert.equal(webTry.body.error, 'unauthorized_client');
});

test('scopes can be narrowed, never widened', async () => {
  const subject = await userTokens();
  const narrow = await exchange({ subject_token: subject.access_token, subject_token_type: AT, scope: 'openid' });
  assert.equal(narrow.status, 200);
  assert.equal(narrow.body.scope, 'openid');
  assert.equal(decodePayload(narrow.body.access_token).scope, 'openid');
  const wide = await exchange({ subject_token: subject.access_token, subject_token_type: AT, scope: 'openid profile email' });
  assert.equal(wide.status, 400);
  assert.equal(wide.body.error, 'invalid_scope');
});

test("audience and resource: the tenant's allowed audiences only", async () => {
  const subject = await userTokens();
  const one = await exchange({ subject_token: subject.access_token, subject_token_type: AT, audience: 'orders-service' });
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.equal(decodePayload(one.body.access_token).aud, 'orders-service');
  const several = await exchange({ subject_token: subject.access_token, subject_token_type: AT }, gateway, [
    ['audience', 'orders-service'],
    ['audience', 'billing'],
    ['resource', 'https://api.example.com/orders'],
  ]);
  assert.equal(several.status, 200, JSON.stringify(several.body));
  assert.deepEqual(decodePayload(several.body.access_token).aud, ['orders-service', 'billing', 'https://api.example.com/orders']);
  const refused: Record<string, string>[] = [
    { audience: 'https://evil.example.com' },
    { resource: 'https://api.example.com/other' },
    { resource: 'not a uri' },
  ];
  for (const extra of refused) {
    const r = await exchange({ subject_token: subject.access_token, subject_token_type: AT, ...extra });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_target', JSON.stringify(extra));
  }
});

test('a refresh token subject: its own client only, and never with an audience', async () => {
  const subject = await userTokens(webx, ['openid', 'profile', 'offline_access'], true);
  const withAudience = await exchange({ subject_token: subject.refresh_token, subject_token_type: RT, audience: 'orders-service' }, webx);
  assert.equal(withAudience.status, 400);
  assert.equal(withAudience.body.error, 'invalid_target');
  const ok = await exchange({ subject_token: subject.refresh_token, subject_token_type: RT, scope: 'openid' }, webx);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(decodePayload(ok.body.access_token).client_id, webx[0]);
  // The refresh token was not used up.
  assert.equal((await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: subject.refresh_token }, webx)).status, 200);
  const foreign = await exchange({ subject_token: subject.refresh_token, subject_token_type: RT }, gateway);
  assert.equal(foreign.body.error, 'invalid_request');
});

test('an actor token makes it delegation: act claim, nested under a new actor', async () => {
  const subject = await userTokens();
  const first = await exchange({
    subject_token: subject.access_token,
    subject_token_type: AT,
    actor_token: await ccToken(svc),
    actor_token_type: AT,
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(decodePayload(first.body.access_token).act, { sub: svc[0] });
  const second = await exchange({
    subject_token: first.body.access_token,
    subject_token_type: AT,
    actor_token: await ccToken(noperm),
    actor_token_type: AT,
  });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  const act = decodePayload(second.body.access_token).act;
  assert.deepEqual(act, { sub: noperm[0], act: { sub: svc[0] } });
  assert.deepEqual((await introspect(srv, T, second.body.access_token, rs)).body.act, act);

  const noType = await exchange({ subject_token: subject.access_token, subject_token_type: AT, actor_token: await ccToken(svc) });
  assert.equal(noType.body.error, 'invalid_request');
  const badActor = await exchange({
    subject_token: subject.access_token,
    subject_token_type: AT,
    actor_token: 'garbage',
    actor_token_type: AT,
  });
  assert.equal(badActor.body.error, 'invalid_request');
});

test('access → refresh token: only with offline access; the refresh token works for the exchanging client', async () => {
  const offline = await userTokens(web, ['openid', 'profile', 'offline_access'], true);
  const r = await exchange({ subject_token: offline.access_token, subject_token_type: AT, requested_token_type: RT });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.issued_token_type, RT);
  assert.equal(r.body.token_type, 'N_A');
  assert.ok(r.body.expires_in > 0);
  const refreshed = await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: r.body.access_token }, gateway);
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.equal(decodePayload(refreshed.body.access_token).client_id, gateway[0]);
  assert.equal((await userinfo(srv, T, refreshed.body.access_token)).status, 200);

  const online = await userTokens();
  const refused = await exchange({ subject_token: online.access_token, subject_token_type: AT, requested_token_type: RT });
  assert.equal(refused.body.error, 'invalid_request');
  const cc = await exchange({ subject_token: await ccToken(svc), subject_token_type: AT, requested_token_type: RT });
  assert.equal(cc.body.error, 'invalid_request');
});

test('revoking the subject grant revokes what was exchanged from it', async () => {
  const subject = await userTokens(web, ['openid', 'profile', 'offline_access'], true);
  const exchanged = await exchange({ subject_token: subject.access_token, subject_token_type: AT });
  const asRefresh = await exchange({ subject_token: subject.access_token, subject_token_type: AT, requested_token_type: RT });
  assert.equal(await isActive(srv, T, exchanged.body.access_token, rs), true);
  assert.equal((await revoke(srv, T, subject.refresh_token, web)).status, 200);
  assert.equal(await isActive(srv, T, exchanged.body.access_token, rs), false);
  assert.equal((await userinfo(srv, T, exchanged.body.access_token)).status, 401);
  assert.equal(
    (await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: asRefresh.body.access_token }, gateway)).body.error,
    'invalid_grant',
  );
  // And a revoked subject cannot be exchanged any more.
  const late = await exchange({ subject_token: subject.access_token, subject_token_type: AT });
  assert.equal(late.body.error, 'invalid_request');
});

test('a client_credentials token and an ID token as subjects', async () => {
  const cc = await exchange({ subject_token: await ccToken(svc), subject_token_type: AT, audience: 'billing' });
  assert.equal(cc.status, 200, JSON.stringify(cc.body));
  const claims = decodePayload(cc.body.access_token);
  assert.equal(claims.sub, svc[0]);
  assert.equal(claims.client_id, gateway[0]);
  assert.equal(claims.aud, 'billing');
  assert.equal(cc.body.scope, 'api:read');

  const own = await userTokens(webx);
  const byId = await exchange({ subject_token: own.id_token, subject_token_type: IDT }, webx);
  assert.equal(byId.status, 200, JSON.stringify(byId.body));
  assert.equal(decodePayload(byId.body.access_token).sub, decodePayload(own.id_token).sub);
  assert.equal((await userinfo(srv, T, byId.body.access_token)).status, 200);
  // Another client's ID token, or an access token passed as an ID token, is not acceptable.
  const theirs = await userTokens(web);
  assert.equal((await exchange({ subject_token: theirs.id_token, subject_token_type: IDT }, webx)).body.error, 'invalid_request');
  assert.equal((await exchange({ subject_token: own.access_token, subject_token_type: IDT }, webx)).body.error, 'invalid_request');
});

test('a public client may exchange only its own tokens', async () => {
  const theirs = await userTokens();
  const r = await tokenRequest(srv, T, { grant_type: TE, client_id: spaId, subject_token: theirs.access_token, subject_token_type: AT });
  assert.equal(r.status, 400);
  assert.equal(r.body.error, 'invalid_request');
});

test('malformed requests are invalid_request', async () => {
  const subject = await userTokens();
  const cases: Record<string, string>[] = [
    { subject_token: subject.access_token },
    { subject_token_type: AT },
    { subject_token: 'garbage', subject_token_type: AT },
    { subject_token: subject.access_token, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' },
    { subject_token: subject.access_token, subject_token_type: AT, requested_token_type: IDT },
    { subject_token: subject.id_token, subject_token_type: AT },
  ];
  for (const c of cases) {
    const r = await exchange(c);
    assert.equal(r.status, 400, JSON.stringify(c));
    assert.equal(r.body.error, 'invalid_request', JSON.stringify(c));
  }
  // Parameters other than audience and resource must not be repeated.
  const twice = await exchange({ subject_token: subject.access_token, subject_token_type: AT, scope: 'openid' }, gateway, [
    ['scope', 'profile'],
  ]);
  assert.equal(twice.body.error, 'invalid_request');
});
