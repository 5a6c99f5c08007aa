import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientCredentials, createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ label: 'dcr' });
  await createTenant(srv, 'open', 'Open', { dynamicRegistration: 'OPEN' });
  await createTenant(srv, 'vetted', 'Vetted');
  await createTenant(srv, 'closed', 'Closed', { dynamicRegistration: 'DISABLED' });
});
after(() => srv.close());

async function register(slug: string, body: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${srv.issuer(slug)}/register`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

const web = { client_name: 'Web app', redirect_uris: ['https://app.example.com/cb'] };

describe('RFC 7591 registration', () => {
  test('OPEN: a web client registers and gets its credentials once', async () => {
    const r = await register('open', { ...web, contacts: ['ops@example.com'], logo_uri: 'https://app.example.com/logo.png' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.ok(r.body.client_id && r.body.client_secret && r.body.registration_access_token);
    assert.equal(r.body.registration_client_uri, `${srv.issuer('open')}/register/${r.body.client_id}`);
    assert.deepEqual(r.body.redirect_uris, web.redirect_uris);
    assert.equal(r.body.token_endpoint_auth_method, 'client_secret_basic');
    assert.deepEqual(r.body.grant_types, ['authorization_code', 'refresh_token']);
    assert.deepEqual(r.body.response_types, ['code']);
    assert.equal(r.body.client_secret_expires_at, 0);
    assert.deepEqual(r.body.contacts, ['ops@example.com']);
    // Stored hashed only.
    const raw = await srv.db.collection('clients').findOne({ clientId: r.body.client_id });
    const text = JSON.stringify(raw);
    assert.ok(!text.includes(r.body.client_secret) && !text.includes(r.body.registration_access_token));
  });

  test('a native public client with a private-use scheme and a loopback URI', async () => {
    const r = await register('open', {
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['com.example.app:/oauth2redirect', 'http://127.0.0.1:51004/cb'],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.client_secret, undefined);
  });

  const badRedirects: [string, unknown][] = [
    ['http for a web client', { redirect_uris: ['http://app.example.com/cb'] }],
    ['a fragment', { redirect_uris: ['https://app.example.com/cb#x'] }],
    ['not a URI', { redirect_uris: ['not a uri'] }],
    ['loopback for a web client', { redirect_uris: ['https://localhost/cb'] }],
    [
      'http on a public host for a native client',
      { application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://evil.example/cb'] },
    ],
    [
      'a scheme that is not a reverse domain',
      { application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['myapp:/cb'] },
    ],
    ['javascript:', { application_type: 'native', redirect_uris: ['javascript:alert(1)'] }],
    ['no redirect URI for a code client', { client_name: 'x' }],
  ];
  for (const [name, body] of badRedirects) {
    test(`invalid_redirect_uri: ${name}`, async () => {
      const r = await register('open', body);
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_redirect_uri');
    });
  }

  const badMetadata: [string, unknown][] = [
    ['an unknown grant type', { ...web, grant_types: ['urn:nope'] }],
    ['a response type without its grant', { ...web, response_types: ['code id_token'] }],
    ['an unknown auth method', { ...web, token_endpoint_auth_method: 'magic' }],
    [
      'a private key in jwks',
      { ...web, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } },
    ],
    ['private_key_jwt without keys', { ...web, token_endpoint_auth_method: 'private_key_jwt' }],
    ['jwks and jwks_uri together', { ...web, jwks_uri: 'https://app.example.com/jwks', jwks: { keys: [] } }],
    ['a logo that is not a URL', { ...web, logo_uri: 'logo.png' }],
    ['a wrong type', { ...web, client_name: 42 }],
    ['an unknown ID token alg', { ...web, id_token_signed_response_alg: 'none' }],
    ['client_credentials without an initial access token', { ...web, grant_types: ['client_credentials'], response_types: [] }],
    ['an undefined scope without an initial access token', { ...web, scope: 'openid api:admin' }],
    ['a body that is not an object', ['x']],
    ['a back-channel logout URI on a private address (OPEN)', { ...web, backchannel_logout_uri: 'https://10.0.0.5/logout' }],
    ['a back-channel logout URI on loopback (OPEN)', { ...web, backchannel_logout_uri: 'https://127.0.0.1:8443/logout' }],
    ['a jwks_uri over http (OPEN)', { ...web, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://keys.example.com/jwks' }],
  ];
  for (const [name, body] of badMetadata) {
    test(`invalid_client_metadata: ${name}`, async () => {
      const r = await register('open', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, 'invalid_client_metadata');
    });
  }

  test('DISABLED: refused, and discovery does not announce the endpoint', async () => {
    const r = await register('closed', web);
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'access_denied');
    const d = (await (await fetch(`${srv.issuer('closed')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(d.registration_endpoint, undefined);
    const o = (await (await fetch(`${srv.issuer('open')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(o.registration_endpoint, `${srv.issuer('open')}/register`);
  });

  test('the system tenant never accepts registrations', async () => {
    const r = await register('system', { ...web, grant_types: ['client_credentials'], response_types: [], scope: 'admin' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'access_denied');
  });

  test('TOKEN (the default): needs an initial access token from createInitialAccessToken', async () => {
    const none = await register('vetted', web);
    assert.equal(none.status, 401);
    assert.equal(none.body.error, 'invalid_token');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.equal((await register('vetted', web, 'made-up')).status, 401);

    const data = await gqlOk<{ createInitialAccessToken: string }>(srv, 'mutation { createInitialAccessToken(tenant: "vetted") }');
    const iat = data.createInitialAccessToken;
    const r = await register(
      'vetted',
      { client_name: 'svc', grant_types: ['client_credentials'], response_types: [], scope: 'api:read' },
      iat,
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const tok = await clientCredentials(srv, 'vetted', r.body.client_id, r.body.client_secret);
    assert.equal(tok.status, 200);
  });
});

describe('RFC 7592 management', () => {
  test('read, update and delete with the registration access token', async () => {
    const reg = await register('open', web);
    const uri = reg.body.registration_client_uri as string;
    const auth = { authorization: `Bearer ${reg.body.registration_access_token}` };

    const read = await fetch(uri, { headers: auth });
    assert.equal(read.status, 200);
    const view = (await read.json()) as Record<string, unknown>;
    assert.equal(view.client_id, reg.body.client_id);
    assert.equal(view.client_secret, undefined, 'the secret is never shown again');

    assert.equal((await fetch(uri, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(uri)).status, 401);

    const put = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: reg.body.client_id, client_name: 'Renamed', redirect_uris: ['https://app.example.com/cb2'] }),
    });
    assert.equal(put.status, 200);
    const updated = (await put.json()) as Record<string, unknown>;
    assert.equal(updated.client_name, 'Renamed');
    assert.deepEqual(updated.redirect_uris, ['https://app.example.com/cb2']);

    const mismatch = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'other', redirect_uris: ['https://a.example/cb'] }),
    });
    assert.equal(mismatch.status, 400);
    const badPut = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: reg.body.client_id, redirect_uris: ['http://a.example/cb'] }),
    });
    assert.equal(((await badPut.json()) as { error: string }).error, 'invalid_redirect_uri');

    const del = await fetch(uri, { method: 'DELETE', headers: auth });
    assert.equal(del.status, 204);
    assert.equal((await fetch(uri, { headers: auth })).status, 401);
    assert.equal(await srv.db.collection('clients').countDocuments({ clientId: reg.body.client_id }), 0);
  });

  test("one client's registration token does not open another client", async () => {
    const a = await register('open', web);
    const b = await register('open', web);
    const res = await fetch(b.body.registration_client_uri, { headers: { authorization: `Bearer ${a.body.registration_access_token}` } });
    assert.equal(res.status, 401);
  });
});

describe('a dynamically registered client in use', () => {
  test('completes an authorization code flow with openid-client', async () => {
    const oidc = await import('openid-client');
    const { Browser, runFlow } = await import('./helpers/browser-fetch.js');
    const { createUser } = await import('./helpers/admin.js');
    await createUser(srv, 'open', 'reggie', 'registered password', { name: 'Reggie' });
    const reg = await register('open', {
      client_name: 'Fresh app',
      redirect_uris: ['https://fresh.example.com/cb'],
      scope: 'openid profile',
    });
    assert.equal(reg.status, 201);

    const config = await oidc.discovery(
      new URL(srv.issuer('open')),
      reg.body.client_id,
      reg.body.client_secret,
      oidc.ClientSecretBasic(reg.body.client_secret),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://fresh.example.com/cb',
      scope: 'openid profile',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const end = await runFlow(new Browser(), url.href, { username: 'reggie', password: 'registered password', consent: 'allow' });
    assert.equal(end.kind, 'redirect');
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.equal(tokens.claims()?.aud, reg.body.client_id);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    assert.equal(info.name, 'Reggie');
  });
});
