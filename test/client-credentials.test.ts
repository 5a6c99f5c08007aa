import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { clientCredentials, createClient, createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let svc: { clientId: string; clientSecret: string };
let post: { clientId: string; clientSecret: string };

before(async () => {
  srv = await startTestServer({ label: 'cc' });
  await createTenant(srv, 'acme');
  await createTenant(srv, 'globex', 'Globex', { signingAlg: 'ES256' });
  const a = await createClient(srv, 'acme', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api:read', 'api:write'],
  });
  svc = { clientId: a.clientId, clientSecret: a.clientSecret! };
  const b = await createClient(srv, 'acme', {
    name: 'svc-post',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api:read'],
    tokenEndpointAuthMethod: 'client_secret_post',
  });
  post = { clientId: b.clientId, clientSecret: b.clientSecret! };
});
after(() => srv.close());

const form = (params: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(params),
});

describe('client_credentials', () => {
  test('openid-client obtains a token that verifies against the tenant JWKS (RFC 9068)', async () => {
    const config = await oidc.discovery(
      new URL(srv.issuer('acme')),
      svc.clientId,
      svc.clientSecret,
      oidc.ClientSecretBasic(svc.clientSecret),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api:read' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'api:read');
    assert.ok(tokens.expires_in! > 0);
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${srv.issuer('acme')}/jwks`)), {
      issuer: srv.issuer('acme'),
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.client_id, svc.clientId);
    assert.equal(payload.sub, svc.clientId);
    assert.equal(payload.scope, 'api:read');
    assert.ok(payload.jti && payload.iat && payload.exp && payload.aud);
  });

  test('client_secret_post works for a client registered with it', async () => {
    const res = await fetch(
      `${srv.issuer('acme')}/token`,
      form({ grant_type: 'client_credentials', client_id: post.clientId, client_secret: post.clientSecret }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { access_token: string; scope: string };
    assert.equal(body.scope, 'api:read');
  });

  test("the tenant's signingAlg signs its access tokens", async () => {
    const c = await createClient(srv, 'globex', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['x'],
    });
    const res = await clientCredentials(srv, 'globex', c.clientId, c.clientSecret!);
    const { access_token } = (await res.json()) as { access_token: string };
    assert.equal(decodeProtectedHeader(access_token).alg, 'ES256');
    await jwtVerify(access_token, createRemoteJWKSet(new URL(`${srv.issuer('globex')}/jwks`)), { issuer: srv.issuer('globex') });
  });

  test('wrong secret → 401 invalid_client with WWW-Authenticate', async () => {
    const res = await clientCredentials(srv, 'acme', svc.clientId, 'wrong-secret');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  test('unknown client and a client of another tenant are invalid_client', async () => {
    assert.equal((await clientCredentials(srv, 'acme', 'nobody', 'x')).status, 401);
    assert.equal((await clientCredentials(srv, 'globex', svc.clientId, svc.clientSecret)).status, 401);
  });

  test('the registered auth method is enforced', async () => {
    const res = await fetch(
      `${srv.issuer('acme')}/token`,
      form({ grant_type: 'client_credentials', client_id: svc.clientId, client_secret: svc.clientSecret }),
    );
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  test('two authentication methods at once are refused', async () => {
    const basic = `Basic ${Buffer.from(`${svc.clientId}:${svc.clientSecret}`).toString('base64')}`;
    const res = await fetch(
      `${srv.issuer('acme')}/token`,
      form({ grant_type: 'client_credentials', client_id: svc.clientId, client_secret: svc.clientSecret }, { authorization: basic }),
    );
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
  });

  test('scopes the client may not request → invalid_scope', async () => {
    const res = await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret, { scope: 'api:read admin' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_scope');
  });

  test('no scope → every scope the client may use', async () => {
    const res = await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret);
    assert.equal(((await res.json()) as { scope: string }).scope, 'api:read api:write');
  });

  test('missing, unknown and unauthorized grant types', async () => {
    const missing = await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret, { grant_type: '' });
    assert.equal(((await missing.json()) as { error: string }).error, 'invalid_request');
    const unknown = await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret, { grant_type: 'urn:example:nope' });
    assert.equal(((await unknown.json()) as { error: string }).error, 'unsupported_grant_type');
    const web = await createClient(srv, 'acme', { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://app.example/cb'] });
    const refused = await clientCredentials(srv, 'acme', web.clientId, web.clientSecret!);
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'unauthorized_client');
  });

  test('the token endpoint takes only POST with a form body', async () => {
    const get = await fetch(`${srv.issuer('acme')}/token`);
    assert.equal(get.status, 405);
    const json = await fetch(`${srv.issuer('acme')}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
  });

  test('a rotated secret replaces the old one at once', async () => {
    const { rotateClientSecret } = await import('../src/clients/clients.js');
    const c = await createClient(srv, 'acme', {
      name: 'rot',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['x'],
    });
    // Twice: the second is answered from the verified-secret cache (src/oidc/verified-secrets.ts), which must not outlive the rotation.
    assert.equal((await clientCredentials(srv, 'acme', c.clientId, c.clientSecret!)).status, 200);
    assert.equal((await clientCredentials(srv, 'acme', c.clientId, c.clientSecret!)).status, 200);
    const tenant = (await srv.rt.tenants.get('acme'))!;
    const rotated = await rotateClientSecret(srv.rt, tenant, c.clientId);
    assert.equal((await clientCredentials(srv, 'acme', c.clientId, c.clientSecret!)).status, 401);
    assert.equal((await clientCredentials(srv, 'acme', c.clientId, rotated.clientSecret!)).status, 200);
  });

  test('a secret that verified before does not let a wrong one through (basic and post)', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret)).status, 200);
    for (const wrong of [svc.clientSecret.slice(0, -1), `${svc.clientSecret}x`, '', post.clientSecret]) {
      assert.equal((await clientCredentials(srv, 'acme', svc.clientId, wrong)).status, 401);
    }
    // The client's own secret presented for another client of the tenant is refused too.
    assert.equal((await clientCredentials(srv, 'acme', post.clientId, svc.clientSecret)).status, 401);
    for (let i = 0; i < 2; i++) {
      const ok = await fetch(
        `${srv.issuer('acme')}/token`,
        form({ grant_type: 'client_credentials', client_id: post.clientId, client_secret: post.clientSecret }),
      );
      assert.equal(ok.status, 200);
    }
    const bad = await fetch(
      `${srv.issuer('acme')}/token`,
      form({ grant_type: 'client_credentials', client_id: post.clientId, client_secret: `${post.clientSecret}!` }),
    );
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client');
    assert.equal((await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret)).status, 200);
  });

  test('rotateClientSecret through the admin API: the cached secret stops at once', async () => {
    const c = await createClient(srv, 'acme', {
      name: 'rot-gql',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['x'],
    });
    for (let i = 0; i < 2; i++) assert.equal((await clientCredentials(srv, 'acme', c.clientId, c.clientSecret!)).status, 200);
    const d = await gqlOk<{ rotateClientSecret: { clientSecret: string } }>(
      srv,
      `mutation { rotateClientSecret(tenant: "acme", clientId: "${c.clientId}") { clientSecret } }`,
    );
    assert.equal((await clientCredentials(srv, 'acme', c.clientId, c.clientSecret!)).status, 401);
    assert.equal((await clientCredentials(srv, 'acme', c.clientId, d.rotateClientSecret.clientSecret)).status, 200);
  });
});
