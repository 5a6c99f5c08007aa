import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { decodeHeader, decodePayload, issue, issueCode, newVerifier, redeem, rp, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let alice: string;
const T = 'acme';
const REDIRECT = 'https://rp.example.com/cb';
const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const;
const clients: Record<string, { clientId: string; clientSecret: string }> = {};
const ALL_RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

before(async () => {
  srv = await startTestServer({ label: 'id-token' });
  await createTenant(srv, T);
  alice = await createUser(srv, T, 'alice', 'correct horse battery', {
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    nickname: '',
    email: 'alice@example.com',
    email_verified: true,
    phone_number: '+1 555 0100',
    address: { street_address: '1 Rabbit Hole', locality: 'Oxford', country: 'UK', region: '' },
    department: 'wonder',
  });
  for (const alg of ALGS) {
    const c = await createClient(srv, T, {
      name: `hybrid-${alg}`,
      clientType: 'CONFIDENTIAL',
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'implicit', 'refresh_token'],
      responseTypes: ALL_RESPONSE_TYPES,
      idTokenSignedResponseAlg: alg,
    });
    clients[alg] = { clientId: c.clientId, clientSecret: c.clientSecret! };
  }
});
after(() => srv.close());

const auth = (alg: string): [string, string] => [clients[alg]!.clientId, clients[alg]!.clientSecret];

/** Independent of the server's implementation: left half of SHA-256, or SHA-512 for EdDSA. */
function expectedHash(value: string, alg: string): string {
  const d = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value)
    .digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

async function verify(idToken: string, alg: string): Promise<Record<string, any>> {
  const { clientId, clientSecret } = clients[alg]!;
  const opts = { issuer: srv.issuer(T), audience: clientId, algorithms: [alg] };
  if (alg === 'HS256') return (await jwtVerify(idToken, new TextEncoder().encode(clientSecret), opts)).payload as Record<string, any>;
  const jwks = (await (await fetch(`${srv.issuer(T)}/jwks`)).json()) as { keys: never[] };
  return (await jwtVerify(idToken, createLocalJWKSet({ keys: jwks.keys }), opts)).payload as Record<string, any>;
}

function fragmentUrl(params: Record<string, string>, extra: Record<string, string>): URL {
  const u = new URL(REDIRECT);
  u.hash = new URLSearchParams({ ...params, ...extra, iss: srv.issuer(T) }).toString();
  return u;
}

describe('response_type=id_token (implicit)', () => {
  for (const alg of ALGS.filter((a) => a !== 'HS256')) {
    test(`${alg}: openid-client validates signature and nonce; scope claims are in the ID token`, async () => {
      const { clientId, clientSecret } = clients[alg]!;
      const config = await rp(srv, T, clientId, {
        client_secret: clientSecret,
        id_token_signed_response_alg: alg,
        response_types: ['id_token'],
      });
      oidc.useIdTokenResponseType(config);
      const params = await issue(srv, T, {
        clientId,
        userId: alice,
        responseType: 'id_token',
        scopes: ['openid', 'profile', 'email', 'address'],
        nonce: 'n-0S6_WzA2Mj',
        state: 'st-1',
      });
      assert.deepEqual(Object.keys(params), ['id_token'], 'no code, no access token');
      const claims = await oidc.implicitAuthentication(config, fragmentUrl(params, { state: 'st-1' }), 'n-0S6_WzA2Mj', {
        expectedState: 'st-1',
      });
      assert.equal(claims.sub, alice);
      assert.equal(claims.name, 'Alice Liddell');
      assert.equal(claims.email, 'alice@example.com');
      assert.equal(claims.email_verified, true);
      assert.deepEqual(claims.address, { street_address: '1 Rabbit Hole', locality: 'Oxford', country: 'UK' }, 'empty members dropped');
      assert.equal(claims.nickname, undefined, 'empty claims dropped');
      assert.equal(claims.phone_number, undefined, 'phone scope not granted');
      assert.equal(claims.department, undefined, 'custom attributes need a custom scope');
      assert.equal(claims.at_hash, undefined);
      assert.equal(claims.c_hash, undefined);
      assert.equal(claims.s_hash, expectedHash('st-1', alg));
    });
  }

  test('HS256: signed with the client secret, no kid', async () => {
    const params = await issue(srv, T, {
      clientId: clients.HS256!.clientId,
      userId: alice,
      responseType: 'id_token',
      scopes: ['openid', 'email'],
      nonce: 'n1',
    });
    assert.equal(decodeHeader(params.id_token!).kid, undefined);
    const claims = await verify(params.id_token!, 'HS256');
    assert.equal(claims.nonce, 'n1');
    assert.equal(claims.email, 'alice@example.com');
  });
});

describe('hybrid: code id_token', () => {
  for (const alg of ALGS.filter((a) => a !== 'HS256')) {
    test(`${alg}: openid-client checks c_hash and s_hash of the front-channel ID token, then redeems the code`, async () => {
      const { clientId, clientSecret } = clients[alg]!;
      const config = await rp(
        srv,
        T,
        clientId,
        { client_secret: clientSecret, id_token_signed_response_alg: alg, response_types: ['code id_token'] },
        oidc.ClientSecretBasic(clientSecret),
      );
      oidc.useCodeIdTokenResponseType(config);
      const verifier = newVerifier();
      const params = await issue(srv, T, {
        clientId,
        userId: alice,
        responseType: 'code id_token',
        scopes: ['openid', 'profile'],
        nonce: 'nonce-h',
        state: 'state-h',
        codeVerifier: verifier,
      });
      assert.ok(params.code && params.id_token && !params.access_token);
      const front = decodePayload(params.id_token!);
      assert.equal(front.c_hash, expectedHash(params.code!, alg));
      assert.equal(front.s_hash, expectedHash('state-h', alg));
      assert.equal(front.name, undefined, 'a code flow delivers profile claims at userinfo');
      const tokens = await oidc.authorizationCodeGrant(config, fragmentUrl(params, { state: 'state-h' }), {
        pkceCodeVerifier: verifier,
        expectedNonce: 'nonce-h',
        expectedState: 'state-h',
        idTokenExpected: true,
      });
      assert.equal(tokens.claims()!.sub, front.sub);
    });
  }

  test('HS256: c_hash verifies and the code redeems', async () => {
    const verifier = newVerifier();
    const params = await issue(srv, T, {
      clientId: clients.HS256!.clientId,
      userId: alice,
      responseType: 'code id_token',
      nonce: 'n',
      codeVerifier: verifier,
    });
    const claims = await verify(params.id_token!, 'HS256');
    assert.equal(claims.c_hash, expectedHash(params.code!, 'HS256'));
    assert.equal(claims.s_hash, undefined, 'no state, no s_hash');
    const r = await redeem(
      srv,
      T,
      { code: params.code!, verifier, nonce: 'n', redirectUri: REDIRECT, callback: new URL(REDIRECT) },
      auth('HS256'),
    );
    assert.equal(r.status, 200);
  });
});

describe('response types that return an access token from the authorization endpoint', () => {
  for (const responseType of ['id_token token', 'code id_token token', 'code token']) {
    for (const alg of ALGS) {
      test(`${responseType} with ${alg}: at_hash${responseType.includes('code') ? ' and c_hash' : ''} match, the access token works at userinfo`, async () => {
        const { clientId } = clients[alg]!;
        const verifier = newVerifier();
        const params = await issue(srv, T, {
          clientId,
          userId: alice,
          responseType,
          scopes: ['openid', 'email'],
          nonce: 'nn',
          state: 'ss',
          codeVerifier: verifier,
        });
        assert.equal(params.token_type, 'Bearer');
        assert.equal(params.expires_in, '3600');
        assert.equal(params.scope, 'openid email');
        assert.equal(Boolean(params.code), responseType.includes('code'));
        assert.equal(Boolean(params.id_token), responseType.includes('id_token'));
        if (params.id_token) {
          const claims = await verify(params.id_token, alg);
          assert.equal(claims.at_hash, expectedHash(params.access_token!, alg));
          if (params.code) assert.equal(claims.c_hash, expectedHash(params.code, alg));
          assert.equal(claims.s_hash, expectedHash('ss', alg));
          assert.equal(claims.nonce, 'nn');
          assert.equal(claims.email, undefined, 'with an access token, scope claims come from userinfo');
        }
        const info = await userinfo(srv, T, params.access_token!);
        assert.equal(info.status, 200);
        assert.equal(info.body.email, 'alice@example.com');
        if (params.code) {
          const r = await redeem(
            srv,
            T,
            { code: params.code, verifier, nonce: 'nn', redirectUri: REDIRECT, callback: new URL(REDIRECT) },
            auth(alg),
          );
          assert.equal(r.status, 200);
          assert.equal(decodePayload(r.body.id_token).nonce, 'nn');
        }
      });
    }
  }
});

describe('the claims request parameter', () => {
  test('claims asked for in the id_token member are in the code flow ID token; others are not', async () => {
    const c = await issueCode(srv, T, {
      clientId: clients.RS256!.clientId,
      userId: alice,
      scopes: ['openid', 'profile'],
      claims: { id_token: { email: { essential: true }, given_name: null, department: null }, userinfo: { phone_number: null } },
    });
    const r = await redeem(srv, T, c, auth('RS256'));
    const claims = decodePayload(r.body.id_token);
    assert.equal(claims.email, 'alice@example.com');
    assert.equal(claims.given_name, 'Alice');
    assert.equal(claims.name, undefined);
    assert.equal(claims.department, undefined, 'custom attributes are not standard claims');
    assert.equal(claims.phone_number, undefined);
    const info = await userinfo(srv, T, r.body.access_token);
    assert.equal(info.body.phone_number, '+1 555 0100', 'the userinfo member releases it at userinfo');
    assert.equal(info.body.name, 'Alice Liddell');
    assert.equal(info.body.email, undefined, 'the id_token member does not release it at userinfo');
  });
});

test('auth_time, acr, amr and sid come from the session; exp follows the tenant idTokenTtl', async () => {
  const authTime = Math.floor(Date.now() / 1000) - 100;
  const params = await issue(srv, T, {
    clientId: clients.ES256!.clientId,
    userId: alice,
    responseType: 'id_token',
    nonce: 'x',
    authTime,
    acr: 'urn:acr:1',
    amr: ['pwd', 'otp'],
    sid: 'the-sid',
  });
  const c = await verify(params.id_token!, 'ES256');
  assert.equal(c.auth_time, authTime);
  assert.equal(c.acr, 'urn:acr:1');
  assert.deepEqual(c.amr, ['pwd', 'otp']);
  assert.equal(c.sid, 'the-sid');
  assert.equal(c.exp - c.iat, 3600);
});

test('discovery announces the ID token algorithms, subject types, scopes, claims and userinfo', async () => {
  const meta = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, any>;
  assert.deepEqual([...meta.id_token_signing_alg_values_supported].sort(), ['ES256', 'EdDSA', 'HS256', 'PS256', 'RS256']);
  assert.deepEqual(meta.subject_types_supported, ['public', 'pairwise']);
  for (const s of ['openid', 'profile', 'email', 'address', 'phone', 'offline_access']) assert.ok(meta.scopes_supported.includes(s), s);
  for (const c of ['sub', 'name', 'email', 'email_verified', 'address', 'phone_number', 'auth_time', 'acr', 'amr', 'sid'])
    assert.ok(meta.claims_supported.includes(c), c);
  assert.equal(meta.userinfo_endpoint, `${srv.issuer(T)}/userinfo`);
  for (const g of ['authorization_code', 'refresh_token']) assert.ok(meta.grant_types_supported.includes(g), g);
});
