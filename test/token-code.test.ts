import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { decodeHeader, decodePayload, issueCode, redeem, rp, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let alice: string;
const T = 'acme';
const clients: Record<string, { clientId: string; clientSecret: string }> = {};
const REDIRECT = 'https://rp.example.com/cb';

async function confidential(name: string, extra: Record<string, unknown> = {}) {
  const c = await createClient(srv, T, { name, clientType: 'CONFIDENTIAL', redirectUris: [REDIRECT], ...extra });
  clients[name] = { clientId: c.clientId, clientSecret: c.clientSecret! };
  return clients[name];
}

before(async () => {
  srv = await startTestServer({ label: 'token-code' });
  await createTenant(srv, T);
  alice = await createUser(srv, T, 'alice', 'correct horse battery', {
    name: 'Alice Liddell',
    email: 'alice@example.com',
    email_verified: true,
  });
  await confidential('web');
  await confidential('other');
  for (const alg of ['PS256', 'ES256', 'EdDSA', 'HS256']) await confidential(`web-${alg}`, { idTokenSignedResponseAlg: alg });
  const pub = await createClient(srv, T, { name: 'spa', clientType: 'PUBLIC', redirectUris: ['http://localhost:5173/cb'] });
  clients.spa = { clientId: pub.clientId, clientSecret: '' };
});
after(() => srv.close());

const auth = (name: string): [string, string] => [clients[name]!.clientId, clients[name]!.clientSecret];

describe('authorization_code: the happy path through openid-client', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256']) {
    test(`ID token signed with ${alg} is accepted by openid-client`, async () => {
      const name = alg === 'RS256' ? 'web' : `web-${alg}`;
      const { clientId, clientSecret } = clients[name]!;
      const config = await rp(
        srv,
        T,
        clientId,
        { client_secret: clientSecret, id_token_signed_response_alg: alg },
        oidc.ClientSecretBasic(clientSecret),
      );
      // Asymmetric ID tokens from the token endpoint: make openid-client check the signature against the JWKS too.
      if (alg !== 'HS256') oidc.enableNonRepudiationChecks(config);
      const c = await issueCode(srv, T, {
        clientId,
        userId: alice,
        scopes: ['openid', 'profile', 'email'],
        acr: 'urn:gatehouse:pwd',
        sid: 'sid-1',
      });
      const tokens = await oidc.authorizationCodeGrant(config, c.callback, {
        pkceCodeVerifier: c.verifier,
        expectedNonce: c.nonce,
        idTokenExpected: true,
      });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.access_token);
      assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline access');
      assert.equal(tokens.scope, 'openid profile email');
      const claims = tokens.claims()!;
      assert.equal(claims.iss, srv.issuer(T));
      assert.equal(claims.aud, clientId);
      assert.equal(claims.azp, clientId);
      assert.equal(claims.sub, alice);
      assert.equal(claims.nonce, c.nonce);
      assert.equal(claims.sid, 'sid-1');
      assert.equal(claims.acr, 'urn:gatehouse:pwd');
      assert.deepEqual(claims.amr, ['pwd']);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(claims.exp - claims.iat === 3600);
      assert.ok(typeof claims.at_hash === 'string');
      // With an access token, profile and email claims come from userinfo (OIDC Core 5.4).
      assert.equal(claims.email, undefined);
      assert.equal(claims.name, undefined);
      assert.equal(decodeHeader(tokens.id_token!).alg, alg);
      if (alg === 'HS256') {
        await jwtVerify(tokens.id_token!, new TextEncoder().encode(clientSecret), {
          issuer: srv.issuer(T),
          audience: clientId,
          algorithms: ['HS256'],
        });
        assert.equal(decodeHeader(tokens.id_token!).kid, undefined);
      } else {
        const jwks = (await (await fetch(`${srv.issuer(T)}/jwks`)).json()) as { keys: never[] };
        await jwtVerify(tokens.id_token!, createLocalJWKSet({ keys: jwks.keys }), {
          issuer: srv.issuer(T),
          audience: clientId,
          algorithms: [alg],
        });
      }
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, 'alice@example.com');
      assert.equal(info.name, 'Alice Liddell');
    });
  }

  test('the token response is not cacheable and the access token is an RFC 9068 JWT linked to its grant', async () => {
    const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice, scopes: ['openid', 'email'] });
    const res = await redeem(srv, T, c, auth('web'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(decodeHeader(res.body.access_token).typ, 'at+jwt');
    const at = decodePayload(res.body.access_token);
    assert.equal(at.sub, alice);
    assert.equal(at.client_id, clients.web!.clientId);
    assert.equal(at.scope, 'openid email');
    assert.equal(at.aud, srv.issuer(T));
    assert.equal(typeof at.auth_time, 'number');
    assert.equal(typeof at.gid, 'string');
  });

  test('a public client redeems with PKCE and auth method none', async () => {
    const config = await rp(srv, T, clients.spa!.clientId, { token_endpoint_auth_method: 'none' }, oidc.None());
    const c = await issueCode(srv, T, { clientId: clients.spa!.clientId, userId: alice, scopes: ['openid'] });
    const tokens = await oidc.authorizationCodeGrant(config, c.callback, {
      pkceCodeVerifier: c.verifier,
      expectedNonce: c.nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()!.sub, alice);
  });

  test('a refresh token only when the decision granted offline access', async () => {
    const without = await redeem(
      srv,
      T,
      await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice, scopes: ['openid', 'offline_access'] }),
      auth('web'),
    );
    assert.equal(without.status, 200);
    assert.equal(without.body.refresh_token, undefined);
    assert.equal(without.body.scope, 'openid', 'offline_access means nothing without the consent conditions');
    const withOffline = await redeem(
      srv,
      T,
      await issueCode(srv, T, {
        clientId: clients.web!.clientId,
        userId: alice,
        scopes: ['openid', 'offline_access'],
        offlineAccess: true,
      }),
      auth('web'),
    );
    assert.equal(withOffline.status, 200);
    assert.equal(typeof withOffline.body.refresh_token, 'string');
  });
});

describe('authorization_code: refusals', () => {
  test('code reuse is invalid_grant and revokes what the first redemption issued', async () => {
    const c = await issueCode(srv, T, {
      clientId: clients.web!.clientId,
      userId: alice,
      scopes: ['openid', 'offline_access'],
      offlineAccess: true,
    });
    const first = await redeem(srv, T, c, auth('web'));
    assert.equal(first.status, 200);
    assert.equal((await userinfo(srv, T, first.body.access_token)).status, 200);
    const second = await redeem(srv, T, c, auth('web'));
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    const info = await userinfo(srv, T, first.body.access_token);
    assert.equal(info.status, 401);
    assert.match(info.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const refreshed = await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, auth('web'));
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  test('two parallel redemptions of one code: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
      const results = await Promise.all([redeem(srv, T, c, auth('web')), redeem(srv, T, c, auth('web')), redeem(srv, T, c, auth('web'))]);
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      for (const r of results.filter((x) => x.status !== 200)) assert.equal(r.body.error, 'invalid_grant');
    }
  });

  test('redirect_uri must repeat the authorization request exactly', async () => {
    const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
    const r = await redeem(srv, T, c, auth('web'), { redirect_uri: `${REDIRECT}/` });
    assert.equal(r.body.error, 'invalid_grant');
    const missing = await tokenRequest(srv, T, { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier }, auth('web'));
    assert.equal(missing.body.error, 'invalid_request');
  });

  test('PKCE: wrong verifier, missing verifier and a verifier without a challenge are invalid_grant', async () => {
    const wrong = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
    assert.equal((await redeem(srv, T, { ...wrong, verifier: 'x'.repeat(43) }, auth('web'))).body.error, 'invalid_grant');
    const missing = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
    assert.equal((await redeem(srv, T, { ...missing, verifier: '' }, auth('web'))).body.error, 'invalid_grant');
    const none = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice, codeVerifier: null });
    assert.equal((await redeem(srv, T, none, auth('web'), { code_verifier: 'y'.repeat(43) })).body.error, 'invalid_grant');
    // A confidential client without PKCE is allowed (the authorization side decides when PKCE is required).
    const plain = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice, codeVerifier: null });
    assert.equal((await redeem(srv, T, plain, auth('web'))).status, 200);
  });

  test('a public client cannot redeem a code issued without PKCE', async () => {
    const c = await issueCode(srv, T, { clientId: clients.spa!.clientId, userId: alice, codeVerifier: null });
    const r = await tokenRequest(srv, T, {
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: c.redirectUri,
      client_id: clients.spa!.clientId,
    });
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('wrong client secret is 401 invalid_client with a challenge', async () => {
    const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
    const r = await redeem(srv, T, c, [clients.web!.clientId, 'not-the-secret']);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Basic /);
    // The code was not touched: the right secret still redeems it.
    assert.equal((await redeem(srv, T, c, auth('web'))).status, 200);
  });

  test("client B cannot redeem client A's code", async () => {
    const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
    const r = await redeem(srv, T, c, auth('other'));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('unknown or malformed codes', async () => {
    const base = { grant_type: 'authorization_code', redirect_uri: REDIRECT };
    assert.equal((await tokenRequest(srv, T, { ...base, code: 'nope' }, auth('web'))).body.error, 'invalid_grant');
    assert.equal((await tokenRequest(srv, T, base, auth('web'))).body.error, 'invalid_request');
    assert.equal((await tokenRequest(srv, T, { ...base, code: 'x'.repeat(5000) }, auth('web'))).body.error, 'invalid_grant');
  });

  test('a code of another tenant is unknown here', async () => {
    await createTenant(srv, 'other-co');
    const bob = await createUser(srv, 'other-co', 'bob', 'correct horse battery');
    const oc = await createClient(srv, 'other-co', {
      name: 'web',
      clientType: 'CONFIDENTIAL',
      redirectUris: [REDIRECT],
      clientId: clients.web!.clientId,
    });
    const c = await issueCode(srv, 'other-co', { clientId: oc.clientId, userId: bob });
    assert.equal((await redeem(srv, T, c, auth('web'))).body.error, 'invalid_grant');
    assert.equal((await redeem(srv, 'other-co', c, [oc.clientId, oc.clientSecret!])).status, 200);
  });

  test('an expired code is invalid_grant (tenant codeTtl)', async () => {
    await createTenant(srv, 'short', 'Short codes', { settings: { codeTtl: 1 } });
    const u = await createUser(srv, 'short', 'carol', 'correct horse battery');
    const sc = await createClient(srv, 'short', { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: [REDIRECT] });
    const settings = await gqlOk(srv, '{ tenant(slug: "short") { settings { codeTtl } } }');
    assert.equal(settings.tenant.settings.codeTtl, 1);
    const c = await issueCode(srv, 'short', { clientId: sc.clientId, userId: u });
    srv.clock.advance(1300);
    const r = await redeem(srv, 'short', c, [sc.clientId, sc.clientSecret!]);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('codeTtl changed with updateTenant applies to new codes', async () => {
    await gqlOk(srv, 'mutation { updateTenant(slug: "acme", input: { settings: { codeTtl: 1 } }) { slug } }');
    try {
      const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
      srv.clock.advance(1300);
      assert.equal((await redeem(srv, T, c, auth('web'))).body.error, 'invalid_grant');
    } finally {
      await gqlOk(srv, 'mutation { updateTenant(slug: "acme", input: { settings: { codeTtl: 60 } }) { slug } }');
    }
  });

  test('a code whose grant was revoked before redemption is invalid_grant (the copy it carries is checked)', async () => {
    const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: alice });
    await gqlOk(srv, `mutation($u: ID!, $c: String!) { revokeConsent(tenant: "${T}", userId: $u, clientId: $c) }`, {
      u: alice,
      c: clients.web!.clientId,
    });
    const r = await redeem(srv, T, c, auth('web'));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('a disabled user cannot redeem a code issued before', async () => {
    const bob = await createUser(srv, T, 'bob-disabled', 'correct horse battery');
    const c = await issueCode(srv, T, { clientId: clients.web!.clientId, userId: bob });
    const tenant = (await srv.rt.tenants.get(T))!;
    await tenant.store.users.update(bob, { disabled: true });
    assert.equal((await redeem(srv, T, c, auth('web'))).body.error, 'invalid_grant');
  });
});
