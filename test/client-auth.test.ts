import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { adminToken, createClient, createTenant, gql, gqlOk } from './helpers/admin.js';
import { rp, tokenRequest } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let jwksServer: Server;
let jwksUrl: string;
const T = 'acme';
const CC = { clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], scopes: ['api:read'], redirectUris: [] };
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface KeyPair {
  privateKey: CryptoKey;
  jwk: JWK;
}
async function keyPair(alg: string, kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let inlineKey: KeyPair;
let remoteKey: KeyPair;
let strangerKey: KeyPair;
let secretJwt: { clientId: string; clientSecret: string };
let inlineClient: string;
let remoteClient: string;
let basicClient: { clientId: string; clientSecret: string };
let remoteHits = 0;

before(async () => {
  srv = await startTestServer({ label: 'client-auth' });
  await createTenant(srv, T);
  inlineKey = await keyPair('ES256', 'inline-1');
  remoteKey = await keyPair('RS256', 'remote-1');
  strangerKey = await keyPair('ES256', 'inline-1');
  jwksServer = createServer((req, res) => {
    remoteHits++;
    if (req.url !== '/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [remoteKey.jwk] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;

  const s = await createClient(srv, T, { ...CC, name: 'secret-jwt', tokenEndpointAuthMethod: 'client_secret_jwt' });
  secretJwt = { clientId: s.clientId, clientSecret: s.clientSecret! };
  inlineClient = (
    await createClient(srv, T, { ...CC, name: 'pkjwt-inline', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [inlineKey.jwk] } })
  ).clientId;
  remoteClient = (await createClient(srv, T, { ...CC, name: 'pkjwt-remote', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: jwksUrl }))
    .clientId;
  const b = await createClient(srv, T, { ...CC, name: 'basic' });
  basicClient = { clientId: b.clientId, clientSecret: b.clientSecret! };
});
after(async () => {
  await new Promise<void>((r) => jwksServer.close(() => r()));
  await srv.close();
});

interface AssertionOptions {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number | null;
  jti?: string | null;
  alg?: string;
  kid?: string;
}
async function assertion(clientId: string, key: CryptoKey | Uint8Array, o: AssertionOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { iss: o.iss ?? clientId, sub: o.sub ?? clientId, aud: o.aud ?? srv.issuer(T), iat: now };
  if (o.exp !== null) payload.exp = o.exp ?? now + 60;
  if (o.jti !== null) payload.jti = o.jti ?? randomBytes(12).toString('base64url');
  return new SignJWT(payload).setProtectedHeader({ alg: o.alg ?? 'ES256', ...(o.kid ? { kid: o.kid } : {}) }).sign(key);
}

const withAssertion = (jwt: string, extra: Record<string, string> = {}) =>
  tokenRequest(srv, T, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });

const secretKey = () => new TextEncoder().encode(secretJwt.clientSecret);

describe('client_secret_jwt', () => {
  test('openid-client authenticates with ClientSecretJwt', async () => {
    const config = await rp(srv, T, secretJwt.clientId, {}, oidc.ClientSecretJwt(secretJwt.clientSecret));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api:read' });
    assert.ok(tokens.access_token);
  });

  test('the same assertion twice: the replay is invalid_client', async () => {
    const jwt = await assertion(secretJwt.clientId, secretKey(), { alg: 'HS256' });
    assert.equal((await withAssertion(jwt)).status, 200);
    const replay = await withAssertion(jwt);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
  });

  test('a wrong secret, a wrong audience, no exp, no jti, an expired one, iss != sub: all invalid_client', async () => {
    const id = secretJwt.clientId;
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      await assertion(id, new TextEncoder().encode('not-the-secret-at-all-0123456789'), { alg: 'HS256' }),
      await assertion(id, secretKey(), { alg: 'HS256', aud: 'https://elsewhere.example.com' }),
      await assertion(id, secretKey(), { alg: 'HS256', exp: null }),
      await assertion(id, secretKey(), { alg: 'HS256', jti: null }),
      await assertion(id, secretKey(), { alg: 'HS256', exp: now - 120 }),
      await assertion(id, secretKey(), { alg: 'HS256', iss: 'someone-else' }),
    ];
    for (const [i, jwt] of bad.entries()) {
      const r = await withAssertion(jwt);
      assert.equal(r.status, 401, `case ${i}`);
      assert.equal(r.body.error, 'invalid_client', `case ${i}`);
    }
  });

  test('the token endpoint URL is an accepted audience too', async () => {
    const jwt = await assertion(secretJwt.clientId, secretKey(), { alg: 'HS256', aud: `${srv.issuer(T)}/token` });
    assert.equal((await withAssertion(jwt)).status, 200);
  });

  test('client_id in the body must match the assertion', async () => {
    const jwt = await assertion(secretJwt.clientId, secretKey(), { alg: 'HS256' });
    assert.equal((await withAssertion(jwt, { client_id: secretJwt.clientId })).status, 200);
    const other = await assertion(secretJwt.clientId, secretKey(), { alg: 'HS256' });
    assert.equal((await withAssertion(other, { client_id: basicClient.clientId })).body.error, 'invalid_request');
  });
});

describe('private_key_jwt', () => {
  test('inline JWKS: openid-client authenticates with PrivateKeyJwt', async () => {
    const config = await rp(srv, T, inlineClient, {}, oidc.PrivateKeyJwt({ key: inlineKey.privateKey, kid: 'inline-1' }));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api:read' });
    assert.ok(tokens.access_token);
  });

  test('jwks_uri: keys fetched from the client and cached', async () => {
    const config = await rp(srv, T, remoteClient, {}, oidc.PrivateKeyJwt({ key: remoteKey.privateKey, kid: 'remote-1' }));
    const before = remoteHits;
    assert.ok((await oidc.clientCredentialsGrant(config, { scope: 'api:read' })).access_token);
    assert.ok((await oidc.clientCredentialsGrant(config, { scope: 'api:read' })).access_token);
    assert.equal(remoteHits - before, 1, 'the key set is fetched once and then served from the cache');
  });

  test('jti replay is refused', async () => {
    const jwt = await assertion(remoteClient, remoteKey.privateKey, { alg: 'RS256', kid: 'remote-1' });
    assert.equal((await withAssertion(jwt)).status, 200);
    const replay = await withAssertion(jwt);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
  });

  test('a key the client did not register, or an HMAC assertion, is invalid_client', async () => {
    const stranger = await assertion(inlineClient, strangerKey.privateKey, { kid: 'inline-1' });
    assert.equal((await withAssertion(stranger)).status, 401);
    // alg confusion: an HS256 assertion makes it client_secret_jwt, which this client does not use.
    const hmac = await assertion(inlineClient, new TextEncoder().encode(JSON.stringify(inlineKey.jwk)), { alg: 'HS256' });
    assert.equal((await withAssertion(hmac)).body.error, 'invalid_client');
  });

  test('a client registered for client_secret_basic cannot switch to assertions, and the reverse', async () => {
    const jwt = await assertion(basicClient.clientId, new TextEncoder().encode(basicClient.clientSecret), { alg: 'HS256' });
    assert.equal((await withAssertion(jwt)).body.error, 'invalid_client');
    const r = await tokenRequest(srv, T, { grant_type: 'client_credentials' }, [inlineClient, 'whatever']);
    assert.equal(r.body.error, 'invalid_client');
  });

  test('two authentication methods at once are invalid_request', async () => {
    const jwt = await assertion(basicClient.clientId, new TextEncoder().encode(basicClient.clientSecret), { alg: 'HS256' });
    const r = await tokenRequest(
      srv,
      T,
      { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt },
      [basicClient.clientId, basicClient.clientSecret],
    );
    assert.equal(r.body.error, 'invalid_request');
  });

  test('a malformed assertion or a wrong assertion type is invalid_client', async () => {
    assert.equal((await withAssertion('not.a.jwt')).body.error, 'invalid_client');
    const jwt = await assertion(inlineClient, inlineKey.privateKey, { kid: 'inline-1' });
    const r = await tokenRequest(srv, T, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:example:other',
      client_assertion: jwt,
    });
    assert.equal(r.body.error, 'invalid_client');
  });

  test('an unreachable jwks_uri is invalid_client, not a server error', async () => {
    const dead = await createClient(srv, T, {
      ...CC,
      name: 'dead-uri',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwksUri: 'http://127.0.0.1:9/jwks.json',
    });
    const jwt = await assertion(dead.clientId, remoteKey.privateKey, { alg: 'RS256', kid: 'remote-1' });
    const r = await withAssertion(jwt);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
  });
});

describe('admin API: client keys, token format and subject type', () => {
  const create = async (input: Record<string, unknown>) =>
    gql(
      srv,
      'mutation($input: CreateClientInput!) { createClient(tenant: "acme", input: $input) { client { clientId } } }',
      { input: { name: 'x', ...CC, ...input } },
      await adminToken(srv),
    );

  test('the client reads back what was set', async () => {
    const data = await gqlOk(
      srv,
      `{ tenant(slug: "acme") { clients(first: 100) { edges { node { clientId tokenEndpointAuthMethod accessTokenFormat subjectType jwks jwksUri } } } } }`,
    );
    const nodes = data.tenant.clients.edges.map((e: { node: Record<string, any> }) => e.node);
    const inline = nodes.find((n: { clientId: string }) => n.clientId === inlineClient);
    assert.deepEqual(inline.jwks.keys[0].kid, 'inline-1');
    assert.equal(inline.jwksUri, null);
    assert.equal(inline.accessTokenFormat, 'JWT');
    assert.equal(inline.subjectType, null);
    assert.equal(nodes.find((n: { clientId: string }) => n.clientId === remoteClient).jwksUri, jwksUrl);
  });

  test('updateClient sets the token format and subject type, and switches jwks to jwksUri', async () => {
    const data = await gqlOk(
      srv,
      `mutation($id: String!, $uri: String!) { updateClient(tenant: "acme", clientId: $id, input: { accessTokenFormat: OPAQUE, subjectType: "pairwise", jwksUri: $uri }) { accessTokenFormat subjectType jwks jwksUri } }`,
      { id: inlineClient, uri: jwksUrl },
    );
    assert.deepEqual(data.updateClient, { accessTokenFormat: 'OPAQUE', subjectType: 'pairwise', jwks: null, jwksUri: jwksUrl });
    const back = await gqlOk(
      srv,
      `mutation($id: String!, $jwks: JSON!) { updateClient(tenant: "acme", clientId: $id, input: { accessTokenFormat: JWT, subjectType: null, jwks: $jwks }) { accessTokenFormat subjectType jwks jwksUri } }`,
      {
        id: inlineClient,
        jwks: { keys: [inlineKey.jwk] },
      },
    );
    assert.equal(back.updateClient.accessTokenFormat, 'JWT');
    assert.equal(back.updateClient.subjectType, null);
    assert.equal(back.updateClient.jwksUri, null);
    assert.equal(back.updateClient.jwks.keys[0].kid, 'inline-1');
  });

  test('refused: private_key_jwt without keys, private key material, both jwks and jwksUri, plain http, bad subject type', async () => {
    const privateJwk = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'p' };
    const cases: Record<string, unknown>[] = [
      { tokenEndpointAuthMethod: 'private_key_jwt' },
      { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [privateJwk] } },
      { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [inlineKey.jwk] }, jwksUri: jwksUrl },
      { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://keys.example.com/jwks.json' },
      { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      { tokenEndpointAuthMethod: 'private_key_jwt', jwks: 'nope' },
      { subjectType: 'sometimes' },
    ];
    for (const [i, input] of cases.entries()) {
      const r = await create(input);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `case ${i}: ${JSON.stringify(r.errors)}`);
    }
  });
});

test('discovery announces the five client authentication methods and their algorithms', async () => {
  const meta = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, any>;
  for (const m of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']) {
    assert.ok(meta.token_endpoint_auth_methods_supported.includes(m), m);
  }
  for (const alg of ['HS256', 'RS256', 'ES256', 'PS256', 'EdDSA'])
    assert.ok(meta.token_endpoint_auth_signing_alg_values_supported.includes(alg), alg);
  assert.ok(!meta.token_endpoint_auth_signing_alg_values_supported.includes('none'));
});
