import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { registerCodeModule } from '../src/claims/code-resolvers.js';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk, type CreatedClient } from './helpers/admin.js';
import { RP } from './helpers/authorize-fixture.js';
import { Browser, runFlow, responseParams } from './helpers/browser-fetch.js';
import { browserLogin, json, startReceiver, type Receiver } from './helpers/extensions.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * previewClaims returns what a real flow returns: a relying party (openid-client) signs
 * a user in through the login and consent pages, and its ID token, access token and
 * userinfo response are compared with the preview — resolvers of every kind and the ID
 * token hook included. Only the claims of the particular login and moment differ.
 */
const T = 'previewco';
const PASSWORD = 'preview password 1';
let srv: TestServer;
let token: string;
let web: CreatedClient;
let userId: string;
let receiver: Receiver;

const PREVIEW = `query($t: String!, $u: ID!, $c: String!, $s: [String!]!, $r: String, $claims: JSON) {
  previewClaims(tenant: $t, userId: $u, clientId: $c, scopes: $s, responseType: $r, claims: $claims) {
    sub idToken accessToken accessTokenFormat userinfo omittedIdTokenClaims omittedAccessTokenClaims failures { claim reason }
  } }`;

before(async () => {
  srv = await startTestServer({ label: 'preview' });
  token = await adminToken(srv);
  receiver = await startReceiver((req, res) => {
    const body = JSON.parse(req.body) as { user_id: string; scopes: string[] };
    json(res, 200, { value: { plan: 'enterprise', seats: 25, scopes: body.scopes.length } });
  });
  await createTenant(srv, T, 'Preview Co', {
    scopes: [
      {
        name: 'org',
        displayName: 'Your organisation',
        description: 'Department, roles and plan.',
        claims: ['department', 'roles', 'plan', 'team_size'],
      },
    ],
  });
  web = await createClient(srv, T, {
    name: 'Preview Web',
    clientType: 'CONFIDENTIAL',
    redirectUris: [RP],
    grantTypes: ['authorization_code', 'implicit'],
    responseTypes: ['code', 'id_token'],
    scopes: ['openid', 'profile', 'email', 'org'],
  });
  userId = await createUser(srv, T, 'pat', PASSWORD, {
    name: 'Pat Preview',
    given_name: 'Pat',
    email: 'pat@previewco.example',
    email_verified: true,
    attributes: { department: 'Sales', team: ['a', 'b', 'c'] },
  });
  registerCodeModule(
    {
      claims: { roles: (user, client) => [`${client.clientId}:viewer`, user.username] },
      idTokenProcessing: { stamp: (claims) => ({ stamped: `for ${String(claims.aud)}` }) },
    },
    { tenant: T },
  );
  const resolvers = [
    {
      name: 'department',
      kind: 'MAPPING',
      targets: ['ID_TOKEN', 'ACCESS_TOKEN', 'USERINFO'],
      mapping: { path: 'attributes.department', type: 'STRING' },
    },
    { name: 'team_size', kind: 'MAPPING', targets: ['USERINFO'], mapping: { path: 'attributes.team', type: 'ARRAY' } },
    { name: 'roles', kind: 'CODE', targets: ['ACCESS_TOKEN', 'USERINFO'], code: 'roles' },
    { name: 'plan', kind: 'WEBHOOK', targets: ['ID_TOKEN', 'USERINFO'], webhook: { url: `${receiver.url}/plan` } },
  ];
  for (const i of resolvers) {
    const r = await gql(
      srv,
      `mutation($t: String!, $i: ClaimResolverInput!) { setClaimResolver(tenant: $t, input: $i) { name } }`,
      { t: T, i },
      token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  }
  await gqlOk(
    srv,
    `mutation { setHook(tenant: "${T}", input: { point: ID_TOKEN_PROCESSING, kind: CODE, code: "stamp" }) { point } }`,
    {},
    token,
  );
});

after(async () => {
  await srv?.close();
  await receiver?.close();
});

const without = (o: Record<string, unknown>, names: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !names.includes(k)));

test('previewClaims equals what a real code flow returns (openid-client, login and consent)', async () => {
  const config = await oidc.discovery(
    new URL(srv.issuer(T)),
    web.clientId,
    { redirect_uris: [RP] },
    oidc.ClientSecretBasic(web.clientSecret!),
    { execute: [oidc.allowInsecureRequests] },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const scope = 'openid profile email org';
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: RP,
    scope,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const end = await runFlow(new Browser(), url.href, { username: 'pat', password: PASSWORD, consent: 'allow' });
  assert.equal(end.kind, 'redirect');
  const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const idToken = decodeJwt(tokens.id_token!) as Record<string, unknown>;
  const accessToken = decodeJwt(tokens.access_token) as Record<string, unknown>;
  const userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, String(idToken.sub))) as Record<string, unknown>;

  const { previewClaims: p } = await gqlOk(srv, PREVIEW, { t: T, u: userId, c: web.clientId, s: scope.split(' ') }, token);
  assert.deepEqual(p.failures, []);
  assert.equal(p.sub, idToken.sub);
  assert.equal(p.accessTokenFormat, 'JWT');
  assert.deepEqual(p.idToken, without(idToken, p.omittedIdTokenClaims));
  assert.deepEqual(p.accessToken, without(accessToken, p.omittedAccessTokenClaims));
  assert.deepEqual(p.userinfo, userinfo);

  // The comparison is not vacuous: every kind of resolver and the hook are in there.
  assert.equal(idToken.department, 'Sales');
  assert.deepEqual(idToken.plan, { plan: 'enterprise', seats: 25, scopes: 4 });
  assert.equal(idToken.stamped, `for ${web.clientId}`);
  assert.deepEqual(accessToken.roles, [`${web.clientId}:viewer`, 'pat']);
  assert.deepEqual(userinfo.team_size, ['a', 'b', 'c']);
  assert.equal(userinfo.email, 'pat@previewco.example');
  for (const omitted of ['iat', 'exp', 'auth_time', 'nonce', 'sid', 'at_hash']) assert.equal(omitted in p.idToken, false, omitted);
});

test('previewClaims equals a real response_type=id_token flow (scope claims in the ID token)', async () => {
  const { end } = await browserLogin(srv, T, {
    clientId: web.clientId,
    redirectUri: RP,
    username: 'pat',
    password: PASSWORD,
    scope: 'openid profile org',
    responseType: 'id_token',
    consent: 'allow',
  });
  assert.equal(end.kind, 'redirect');
  const idToken = decodeJwt(responseParams((end as { url: string }).url).get('id_token')!) as Record<string, unknown>;
  const { previewClaims: p } = await gqlOk(
    srv,
    PREVIEW,
    { t: T, u: userId, c: web.clientId, s: ['openid', 'profile', 'org'], r: 'id_token' },
    token,
  );
  assert.deepEqual(p.idToken, without(idToken, p.omittedIdTokenClaims));
  assert.equal(p.accessToken, null);
  assert.equal(p.userinfo, null);
  assert.equal(idToken.name, 'Pat Preview', 'scope claims are in an ID token issued alone');
});

test('previewClaims honours the claims request parameter and refuses what a flow would refuse', async () => {
  const { previewClaims: p } = await gqlOk(
    srv,
    PREVIEW,
    {
      t: T,
      u: userId,
      c: web.clientId,
      s: ['openid'],
      claims: { id_token: { department: null }, userinfo: { email: { essential: true } } },
    },
    token,
  );
  assert.equal(p.idToken.department, 'Sales');
  assert.deepEqual(p.userinfo, { email: 'pat@previewco.example', sub: userId });
  const refused = await gql(srv, PREVIEW, { t: T, u: userId, c: web.clientId, s: ['openid', 'admin'] }, token);
  assert.equal(refused.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  const nobody = await gql(srv, PREVIEW, { t: T, u: 'no-such-user', c: web.clientId, s: ['openid'] }, token);
  assert.equal(nobody.errors?.[0]?.extensions?.code, 'NOT_FOUND');
});
