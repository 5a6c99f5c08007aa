import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { clientCredentials, createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { decodePayload, issue, issueCode, redeem, rp, tenantOf, userinfo, type UserinfoMode } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let alice: string;
const T = 'acme';
const REDIRECT = 'https://rp.example.com/cb';
let web: [string, string];
let opaque: [string, string];
let implicitId: string;
let shortLived: { token: string; issuedAt: number };

before(async () => {
  srv = await startTestServer({ label: 'userinfo' });
  await createTenant(srv, T);
  alice = await createUser(srv, T, 'alice', 'correct horse battery', {
    name: 'Alice Liddell',
    given_name: 'Alice',
    middle_name: '',
    email: 'alice@example.com',
    email_verified: true,
    phone_number: '+1 555 0100',
    phone_number_verified: false,
    address: { formatted: '1 Rabbit Hole, Oxford', country: 'UK' },
    department: 'wonder',
  });
  const w = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: [REDIRECT] });
  web = [w.clientId, w.clientSecret!];
  const o = await createClient(srv, T, {
    name: 'opaque',
    clientType: 'CONFIDENTIAL',
    redirectUris: [REDIRECT],
    accessTokenFormat: 'OPAQUE',
  });
  opaque = [o.clientId, o.clientSecret!];
  implicitId = (
    await createClient(srv, T, {
      name: 'implicit',
      clientType: 'PUBLIC',
      redirectUris: ['http://localhost:5173/cb'],
      grantTypes: ['implicit'],
      responseTypes: ['id_token token'],
    })
  ).clientId;

  // A tenant with one-second access tokens; the token is checked at the end of the file.
  await createTenant(srv, 'brief', 'Brief', { settings: { accessTokenTtl: 1 } });
  const u = await createUser(srv, 'brief', 'bob', 'correct horse battery');
  const bc = await createClient(srv, 'brief', { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: [REDIRECT] });
  const params = await issue(srv, 'brief', { clientId: bc.clientId, userId: u, responseType: 'code', scopes: ['openid'] });
  const r = await redeem(
    srv,
    'brief',
    { code: params.code!, verifier: '', nonce: '', redirectUri: REDIRECT, callback: new URL(REDIRECT) },
    [bc.clientId, bc.clientSecret!],
  );
  shortLived = { token: r.body.access_token, issuedAt: Date.now() };
});
after(() => srv.close());

async function accessToken(
  scopes: string[],
  clientAuth: [string, string] = web,
  extra: Partial<Parameters<typeof issueCode>[2]> = {},
): Promise<string> {
  const c = await issueCode(srv, T, { clientId: clientAuth[0], userId: alice, scopes, ...extra });
  const r = await redeem(srv, T, c, clientAuth);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token as string;
}

function assertInvalidToken(r: { status: number; headers: Headers; body: Record<string, any> }, what: string): void {
  assert.equal(r.status, 401, what);
  assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer /, what);
  assert.match(r.headers.get('www-authenticate') ?? '', /error="invalid_token"/, what);
  assert.equal(r.body.error, 'invalid_token', what);
}

describe('presenting the token', () => {
  for (const mode of ['get-header', 'post-header', 'post-form'] as UserinfoMode[]) {
    test(`${mode}`, async () => {
      const r = await userinfo(srv, T, await accessToken(['openid', 'email']), mode);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { sub: alice, email: 'alice@example.com', email_verified: true });
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
    });
  }

  test('openid-client fetchUserInfo checks the subject', async () => {
    const config = await rp(srv, T, web[0], { client_secret: web[1] }, oidc.ClientSecretBasic(web[1]));
    const info = await oidc.fetchUserInfo(config, await accessToken(['openid', 'profile']), alice);
    assert.equal(info.name, 'Alice Liddell');
  });

  test('not in the query string, and never two ways at once', async () => {
    const token = await accessToken(['openid']);
    const q = await fetch(`${srv.issuer(T)}/userinfo?access_token=${token}`);
    assert.equal(q.status, 400);
    assert.equal(((await q.json()) as { error: string }).error, 'invalid_request');
    const both = await fetch(`${srv.issuer(T)}/userinfo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token }),
    });
    assert.equal(both.status, 400);
    assert.equal(((await both.json()) as { error: string }).error, 'invalid_request');
  });

  test('no token at all: 401 with a Bearer challenge', async () => {
    const r = await fetch(`${srv.issuer(T)}/userinfo`);
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('CORS preflight is answered', async () => {
    const r = await fetch(`${srv.issuer(T)}/userinfo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://spa.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.match(r.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
  });
});

describe('claims', () => {
  test('by scope (OIDC Core 5.4), empty claims dropped, custom attributes not released', async () => {
    const r = await userinfo(srv, T, await accessToken(['openid', 'profile', 'email', 'address', 'phone']));
    assert.deepEqual(r.body, {
      sub: alice,
      name: 'Alice Liddell',
      given_name: 'Alice',
      email: 'alice@example.com',
      email_verified: true,
      address: { formatted: '1 Rabbit Hole, Oxford', country: 'UK' },
      phone_number: '+1 555 0100',
      phone_number_verified: false,
    });
  });

  test('only sub with the openid scope alone', async () => {
    assert.deepEqual((await userinfo(srv, T, await accessToken(['openid']))).body, { sub: alice });
  });

  test("by the claims parameter's userinfo member", async () => {
    const token = await accessToken(['openid'], web, {
      claims: { userinfo: { given_name: { essential: true }, email: null, department: null } },
    });
    assert.deepEqual((await userinfo(srv, T, token)).body, { sub: alice, given_name: 'Alice', email: 'alice@example.com' });
  });

  test('a token without the openid scope is insufficient_scope', async () => {
    const r = await userinfo(srv, T, await accessToken(['email']));
    assert.equal(r.status, 403);
    assert.match(r.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  test('the implicit access token (id_token token) works and its sub matches the ID token', async () => {
    const params = await issue(srv, T, {
      clientId: implicitId,
      userId: alice,
      responseType: 'id_token token',
      scopes: ['openid', 'email'],
      nonce: 'n',
    });
    const r = await userinfo(srv, T, params.access_token!);
    assert.equal(r.status, 200);
    assert.equal(r.body.sub, decodePayload(params.id_token!).sub);
  });
});

describe('refused tokens', () => {
  test('garbage', async () => {
    for (const t of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'x'.repeat(10_000)]) {
      assertInvalidToken(await userinfo(srv, T, t), t.slice(0, 20));
    }
  });

  test('an access token of another tenant', async () => {
    await createTenant(srv, 'other-co');
    const bob = await createUser(srv, 'other-co', 'bob', 'correct horse battery');
    const oc = await createClient(srv, 'other-co', {
      name: 'web',
      clientType: 'CONFIDENTIAL',
      redirectUris: [REDIRECT],
      accessTokenFormat: 'OPAQUE',
    });
    const oj = await createClient(srv, 'other-co', { name: 'web2', clientType: 'CONFIDENTIAL', redirectUris: [REDIRECT] });
    for (const c of [oc, oj]) {
      const code = await issueCode(srv, 'other-co', { clientId: c.clientId, userId: bob });
      const r = await redeem(srv, 'other-co', code, [c.clientId, c.clientSecret!]);
      assert.equal((await userinfo(srv, 'other-co', r.body.access_token)).status, 200);
      assertInvalidToken(await userinfo(srv, T, r.body.access_token), 'other tenant');
    }
  });

  test('a revoked grant revokes JWT and opaque access tokens at once', async () => {
    const tenant = await tenantOf(srv, T);
    for (const clientAuth of [web, opaque]) {
      const token = await accessToken(['openid'], clientAuth);
      assert.equal((await userinfo(srv, T, token)).status, 200);
      const grantId =
        clientAuth === web
          ? decodePayload(token).gid
          : (await tenant.store.accessTokens.findActive(srv.rt.envelope.hashSecret(token)))!.grantId!;
      await tenant.store.authorizations.revoke(grantId);
      assertInvalidToken(await userinfo(srv, T, token), 'revoked');
    }
  });

  test('a client_credentials token has no end-user', async () => {
    const cc = await createClient(srv, T, {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['api:read'],
      redirectUris: [],
    });
    const body = (await (await clientCredentials(srv, T, cc.clientId, cc.clientSecret!)).json()) as { access_token: string };
    assertInvalidToken(await userinfo(srv, T, body.access_token), 'client token');
  });

  test('a disabled or deleted user', async () => {
    const tenant = await tenantOf(srv, T);
    const carol = await createUser(srv, T, 'carol', 'correct horse battery');
    const c1 = await issueCode(srv, T, { clientId: web[0], userId: carol });
    const t1 = (await redeem(srv, T, c1, web)).body.access_token as string;
    assert.equal((await userinfo(srv, T, t1)).status, 200);
    await tenant.store.users.update(carol, { disabled: true });
    assertInvalidToken(await userinfo(srv, T, t1), 'disabled');
    await tenant.store.users.delete(carol);
    assertInvalidToken(await userinfo(srv, T, t1), 'deleted');
  });

  test('an ID token is not an access token', async () => {
    const c = await issueCode(srv, T, { clientId: web[0], userId: alice });
    const r = await redeem(srv, T, c, web);
    assertInvalidToken(await userinfo(srv, T, r.body.id_token), 'id token');
  });

  test('an expired token (tenant accessTokenTtl 1 s)', async () => {
    assert.equal(decodePayload(shortLived.token).exp - decodePayload(shortLived.token).iat, 1);
    // Verification allows a few seconds of clock skew: past it on the server's clock, without waiting.
    srv.clock.advance(7_000);
    assertInvalidToken(await userinfo(srv, 'brief', shortLived.token), 'expired');
  });
});

describe('opaque access tokens', () => {
  test('are random strings that work at userinfo', async () => {
    const c = await issueCode(srv, T, { clientId: opaque[0], userId: alice, scopes: ['openid', 'email'] });
    const r = await redeem(srv, T, c, opaque);
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.body.access_token, /\./);
    assert.equal(r.body.expires_in, 3600);
    assert.equal(decodePayload(r.body.id_token).sub, alice);
    const info = await userinfo(srv, T, r.body.access_token, 'post-form');
    assert.deepEqual(info.body, { sub: alice, email: 'alice@example.com', email_verified: true });
  });

  test('are stored hashed: the database never holds the token', async () => {
    const token = await accessToken(['openid'], opaque);
    const tenant = await tenantOf(srv, T);
    const raw = await srv.db.collection('access_tokens').find({ tenantId: tenant.id }).toArray();
    assert.ok(raw.length > 0);
    assert.ok(!JSON.stringify(raw).includes(token));
  });
});

describe('pairwise subjects', () => {
  let ids: Record<string, [string, string]>;
  before(async () => {
    await createTenant(srv, 'pw', 'Pairwise', { settings: { subjectType: 'pairwise' } });
    await createUser(srv, 'pw', 'alice', 'correct horse battery', { email: 'a@example.com' });
    const mk = async (name: string, redirectUris: string[], extra: Record<string, unknown> = {}) => {
      const c = await createClient(srv, 'pw', { name, clientType: 'CONFIDENTIAL', redirectUris, ...extra });
      return [c.clientId, c.clientSecret!] as [string, string];
    };
    ids = {
      a: await mk('a', ['https://a.example.com/cb']),
      a2: await mk('a2', ['https://a.example.com/other', 'https://a.example.com/cb2']),
      b: await mk('b', ['https://b.example.com/cb']),
      pub: await mk('pub', ['https://c.example.com/cb'], { subjectType: 'public' }),
    };
  });

  async function subOf(client: [string, string]): Promise<{ idToken: string; userinfo: string }> {
    const tenant = await tenantOf(srv, 'pw');
    const user = await tenant.store.users.findByUsername('alice');
    const c = await issueCode(srv, 'pw', { clientId: client[0], userId: user!._id, scopes: ['openid', 'email'] });
    const r = await redeem(srv, 'pw', c, client);
    const info = await userinfo(srv, 'pw', r.body.access_token);
    assert.equal(decodePayload(r.body.access_token).sub, info.body.sub);
    return { idToken: decodePayload(r.body.id_token).sub, userinfo: info.body.sub };
  }

  test('differ per sector, are equal within one sector, stable, and match between ID token and userinfo', async () => {
    const user = await (await tenantOf(srv, 'pw')).store.users.findByUsername('alice');
    const a = await subOf(ids.a!);
    const aAgain = await subOf(ids.a!);
    const a2 = await subOf(ids.a2!);
    const b = await subOf(ids.b!);
    assert.equal(a.idToken, a.userinfo);
    assert.equal(a.idToken, aAgain.idToken, 'stable');
    assert.equal(a.idToken, a2.idToken, 'same sector (host a.example.com)');
    assert.notEqual(a.idToken, b.idToken, 'different sectors');
    assert.notEqual(a.idToken, user!._id, 'not the public identifier');
    assert.match(a.idToken, /^[A-Za-z0-9_-]{43}$/);
  });

  test('a client may choose public on a pairwise tenant', async () => {
    const user = await (await tenantOf(srv, 'pw')).store.users.findByUsername('alice');
    assert.equal((await subOf(ids.pub!)).idToken, user!._id);
  });

  test('a client may choose pairwise on a public tenant, and the tenant can switch', async () => {
    const c = await createClient(srv, T, {
      name: 'pw-client',
      clientType: 'CONFIDENTIAL',
      redirectUris: ['https://z.example.com/cb'],
      subjectType: 'pairwise',
    });
    const code = await issueCode(srv, T, { clientId: c.clientId, userId: alice });
    const r = await redeem(srv, T, code, [c.clientId, c.clientSecret!]);
    assert.notEqual(decodePayload(r.body.id_token).sub, alice);
    await gqlOk(srv, 'mutation { updateTenant(slug: "pw", input: { settings: { subjectType: "public" } }) { slug } }');
    const user = await (await tenantOf(srv, 'pw')).store.users.findByUsername('alice');
    assert.equal((await subOf(ids.b!)).idToken, user!._id);
  });
});
