import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { adminToken, createClient, gql, gqlOk } from './helpers/admin.js';
import { Browser, responseParams, runFlow } from './helpers/browser-fetch.js';
import { PASSWORD, RP, authorizeUrl, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Issue 13 findings 4 and 5: signed userinfo responses (userinfo_signed_response_alg,
 * from the admin API and from RFC 7591/7592 registration) and `acr` (tenant setting
 * passwordAcr; essential acr through the claims parameter; acr_values), with
 * openid-client 6 as the relying party.
 */
let srv: TestServer;
let fx: Fixture;
const DEFAULT_ACR = 'urn:gatehouse:acr:password';

before(async () => {
  srv = await startTestServer({ label: 'userinfo-acr' });
  fx = await setupFixture(srv);
});
after(async () => {
  await srv?.close();
});

async function rp(clientId: string, secret: string, metadata: Partial<oidc.ClientMetadata> = {}): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(srv.issuer('acme')), clientId, { redirect_uris: [RP], ...metadata }, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Code flow through login (no consent: requireConsent false), redeemed by openid-client. */
async function codeFlow(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: RP, scope: 'openid email', nonce, ...extra });
  const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
  assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
  return oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), { expectedNonce: nonce });
}

describe('discovery', () => {
  test('announces userinfo signing algorithms and the acr values', async () => {
    const meta = (await (await fetch(`${srv.issuer('acme')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(meta.userinfo_signing_alg_values_supported, ['RS256', 'PS256', 'ES256', 'EdDSA']);
    assert.deepEqual(meta.acr_values_supported, [DEFAULT_ACR]);
  });
});

describe('signed userinfo', () => {
  for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA']) {
    test(`openid-client fetchUserInfo with userinfo_signed_response_alg ${alg}`, async () => {
      const c = await createClient(srv, 'acme', {
        name: `ui ${alg}`,
        clientType: 'CONFIDENTIAL',
        redirectUris: [RP],
        requireConsent: false,
        userinfoSignedResponseAlg: alg,
      });
      const config = await rp(c.clientId, c.clientSecret!, { userinfo_signed_response_alg: alg });
      const tokens = await codeFlow(config);
      const sub = tokens.claims()!.sub;
      // openid-client verifies the JWT (signature from the JWKS, iss, aud) and the sub.
      const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
      assert.equal(info.sub, fx.users.alice);
      assert.equal(info.email, 'alice@acme.example');
      // The raw response: application/jwt, signed with the tenant key of that alg, iss and aud set.
      const r = await fetch(`${srv.issuer('acme')}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/jwt');
      const jwt = await r.text();
      assert.equal(decodeProtectedHeader(jwt).alg, alg);
      const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${srv.issuer('acme')}/jwks`)), {
        issuer: srv.issuer('acme'),
        audience: c.clientId,
      });
      assert.equal(payload.sub, sub);
    });
  }

  test('without the setting userinfo stays JSON', async () => {
    const c = await createClient(srv, 'acme', { name: 'ui plain', clientType: 'CONFIDENTIAL', redirectUris: [RP], requireConsent: false });
    const tokens = await codeFlow(await rp(c.clientId, c.clientSecret!));
    const r = await fetch(`${srv.issuer('acme')}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  });

  test('GraphQL: set, read, clear with null; a bad value is BAD_USER_INPUT', async () => {
    const c = await createClient(srv, 'acme', {
      name: 'ui gql',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      userinfoSignedResponseAlg: 'ES256',
    });
    const q = `query($id: String!) { client(tenant: "acme", clientId: $id) { userinfoSignedResponseAlg } }`;
    assert.equal((await gqlOk(srv, q, { id: c.clientId })).client.userinfoSignedResponseAlg, 'ES256');
    const upd = `mutation($id: String!, $alg: String) { updateClient(tenant: "acme", clientId: $id, input: {userinfoSignedResponseAlg: $alg}) { userinfoSignedResponseAlg } }`;
    assert.equal((await gqlOk(srv, upd, { id: c.clientId, alg: 'RS256' })).updateClient.userinfoSignedResponseAlg, 'RS256');
    assert.equal((await gqlOk(srv, upd, { id: c.clientId, alg: null })).updateClient.userinfoSignedResponseAlg, null);
    const token = await adminToken(srv);
    for (const alg of ['none', 'HS256', 'RS512']) {
      const r = await gql(srv, upd, { id: c.clientId, alg }, token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', alg);
      assert.equal(r.errors?.[0]?.extensions?.field, 'userinfoSignedResponseAlg');
    }
  });

  test('RFC 7591 registration and RFC 7592 update carry userinfo_signed_response_alg', async () => {
    await gqlOk(srv, 'mutation { updateTenant(slug: "acme", input: {dynamicRegistration: OPEN}) { slug } }');
    const reg = await fetch(`${srv.issuer('acme')}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [RP], userinfo_signed_response_alg: 'ES256' }),
    });
    const body = (await reg.json()) as Record<string, any>;
    assert.equal(reg.status, 201, JSON.stringify(body));
    assert.equal(body.userinfo_signed_response_alg, 'ES256');
    const put = await fetch(body.registration_client_uri, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${body.registration_access_token}` },
      body: JSON.stringify({ client_id: body.client_id, redirect_uris: [RP], userinfo_signed_response_alg: 'PS256' }),
    });
    const updated = (await put.json()) as Record<string, any>;
    assert.equal(put.status, 200, JSON.stringify(updated));
    assert.equal(updated.userinfo_signed_response_alg, 'PS256');
    const badReg = await fetch(`${srv.issuer('acme')}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [RP], userinfo_signed_response_alg: 'none' }),
    });
    assert.equal(badReg.status, 400);
    assert.equal(((await badReg.json()) as { error: string }).error, 'invalid_client_metadata');
    await gqlOk(srv, 'mutation { updateTenant(slug: "acme", input: {settings: {dynamicRegistration: null}}) { slug } }');
  });
});

describe('acr', () => {
  test('the ID token carries the acr of the password login, with or without acr_values; amr stays', async () => {
    const c = await createClient(srv, 'acme', { name: 'acr', clientType: 'CONFIDENTIAL', redirectUris: [RP], requireConsent: false });
    const config = await rp(c.clientId, c.clientSecret!);
    for (const extra of [{}, { acr_values: 'urn:example:mfa urn:example:other' }] as Record<string, string>[]) {
      const claims = (await codeFlow(config, extra)).claims()!;
      assert.equal(claims.acr, DEFAULT_ACR);
      assert.deepEqual(claims.amr, ['pwd']);
    }
  });

  test('essential acr: met when the values include the tenant acr; unmet_authentication_requirements otherwise', async () => {
    const c = await createClient(srv, 'acme', {
      name: 'acr essential',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      requireConsent: false,
    });
    const config = await rp(c.clientId, c.clientSecret!);
    const ok = await codeFlow(config, {
      claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:example:mfa', DEFAULT_ACR] } }, userinfo: { acr: null } }),
    });
    assert.equal(ok.claims()!.acr, DEFAULT_ACR);
    const info = await oidc.fetchUserInfo(config, ok.access_token, ok.claims()!.sub);
    assert.equal(info.acr, DEFAULT_ACR, 'acr in userinfo when requested there');

    for (const acr of [
      { essential: true, values: ['urn:example:mfa'] },
      { essential: true, value: 'urn:example:mfa' },
    ]) {
      const page = await new Browser().request(
        authorizeUrl(srv, 'acme', {
          client_id: c.clientId,
          redirect_uri: RP,
          response_type: 'code',
          scope: 'openid',
          state: 's',
          claims: JSON.stringify({ id_token: { acr } }),
        }),
      );
      assert.equal(page.status, 303);
      assert.equal(responseParams(page.headers.get('location')!).get('error'), 'unmet_authentication_requirements');
    }
    // Voluntary (not essential) acr that cannot be met: the request goes on.
    const page = await new Browser().request(
      authorizeUrl(srv, 'acme', {
        client_id: c.clientId,
        redirect_uri: RP,
        response_type: 'code',
        scope: 'openid',
        claims: JSON.stringify({ id_token: { acr: { values: ['urn:example:mfa'] } } }),
      }),
    );
    assert.match(page.headers.get('location') ?? '', /\/interaction\//);
  });

  test('the tenant setting passwordAcr changes the acr and discovery; bad values are refused', async () => {
    await gqlOk(
      srv,
      'mutation { createTenant(input: {slug: "acr-tenant", displayName: "Acr", settings: {passwordAcr: "1"}}) { tenant { slug settings { passwordAcr } } } }',
    );
    const meta = (await (await fetch(`${srv.issuer('acr-tenant')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(meta.acr_values_supported, ['1']);
    const c = await createClient(srv, 'acr-tenant', { name: 'acr', clientType: 'CONFIDENTIAL', redirectUris: [RP], requireConsent: false });
    await gqlOk(
      srv,
      'mutation { createUser(tenant: "acr-tenant", input: {username: "alice", password: "correct horse battery staple"}) { id } }',
    );
    const config = await oidc.discovery(
      new URL(srv.issuer('acr-tenant')),
      c.clientId,
      { redirect_uris: [RP] },
      oidc.ClientSecretBasic(c.clientSecret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    assert.equal((await codeFlow(config)).claims()!.acr, '1');
    const token = await adminToken(srv);
    for (const bad of ['', 'a b', 'x"y']) {
      const r = await gql(
        srv,
        'mutation($v: String) { updateTenant(slug: "acr-tenant", input: {settings: {passwordAcr: $v}}) { slug } }',
        { v: bad },
        token,
      );
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', bad);
    }
  });
});
