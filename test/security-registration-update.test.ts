/**
 * Issue 12 finding 1: an RFC 7592 update is held to exactly the rules of a registration
 * by the same registrant. The attack, as reported: on an OPEN tenant an anonymous
 * registrant registers a plain client, then PUTs client_credentials + token exchange,
 * private_key_jwt with a loopback jwks_uri and a loopback backchannel_logout_uri (then a
 * client assertion made the server fetch the loopback URL), and a second client updated
 * itself to scopes the tenant never defined and got a client_credentials token for them.
 * The server runs with the development loopback switch off, like production.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { clientCredentials, createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
let srv: TestServer;
let listener: Server;
let loopback: string;
let connections = 0;

before(async () => {
  listener = createServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  loopback = `127.0.0.1:${(listener.address() as AddressInfo).port}`;
  srv = await startTestServer({ label: 'dcr-upd', env: { GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: 'false' } });
  await createTenant(srv, 'open', 'Open', {
    dynamicRegistration: 'OPEN',
    scopes: [{ name: 'api:read', displayName: 'Read', description: 'Read the API.' }],
  });
  await createTenant(srv, 'vetted', 'Vetted');
});

after(async () => {
  await srv?.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

interface Registered {
  client_id: string;
  client_secret: string;
  registration_access_token: string;
  registration_client_uri: string;
}

async function register(slug: string, body: Record<string, unknown>, iat?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${srv.issuer(slug)}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(iat ? { authorization: `Bearer ${iat}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function put(reg: Registered, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(reg.registration_client_uri, {
    method: 'PUT',
    headers: { authorization: `Bearer ${reg.registration_access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: reg.client_id, ...body }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const plain = { client_name: 'Plain app', redirect_uris: ['https://app.example.com/cb'] };

describe('RFC 7592 update by an anonymous registrant (OPEN tenant)', () => {
  test('the reported escalation is refused step by step, exactly as POST refuses it, and nothing is fetched', async () => {
    const reg = (await register('open', plain)).body as Registered;
    assert.ok(reg.registration_access_token);
    const { privateKey } = await generateKeyPair('ES256');

    const attacks: Record<string, unknown>[] = [
      { grant_types: ['client_credentials'], response_types: [] },
      { grant_types: ['authorization_code', TOKEN_EXCHANGE] },
      { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `http://${loopback}/jwks` },
      { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `https://${loopback}/jwks` },
      { backchannel_logout_uri: `http://${loopback}/bc` },
      { backchannel_logout_uri: `https://${loopback}/bc` },
      { backchannel_logout_uri: 'https://169.254.169.254/latest/meta-data/' },
      { scope: 'openid payments:write internal-admin' },
      // All of it at once, as reported.
      {
        grant_types: ['client_credentials', TOKEN_EXCHANGE],
        response_types: [],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `http://${loopback}/jwks`,
        backchannel_logout_uri: `http://${loopback}/bc`,
      },
    ];
    for (const attack of attacks) {
      const viaPost = await register('open', { ...plain, ...attack });
      const viaPut = await put(reg, { ...plain, ...attack });
      assert.equal(viaPost.status, 400, `POST ${JSON.stringify(attack)}`);
      assert.equal(viaPut.status, 400, `PUT ${JSON.stringify(attack)}: ${JSON.stringify(viaPut.body)}`);
      assert.equal(viaPut.body.error, viaPost.body.error, JSON.stringify(attack));
      assert.match(viaPut.body.error, /^invalid_(client_metadata|redirect_uri)$/);
    }

    // The client is unchanged: still a plain authorization-code client.
    const read = (await (
      await fetch(reg.registration_client_uri, { headers: { authorization: `Bearer ${reg.registration_access_token}` } })
    ).json()) as Record<string, unknown>;
    assert.deepEqual(read.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(read.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(read.jwks_uri, undefined);
    assert.equal(read.backchannel_logout_uri, undefined);

    // A client assertion for it goes nowhere: no keys were ever accepted.
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ jti: `a${now}` })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(reg.client_id)
      .setSubject(reg.client_id)
      .setAudience(srv.issuer('open'))
      .setExpirationTime(now + 60)
      .setIssuedAt(now)
      .sign(privateKey);
    const tok = await fetch(`${srv.issuer('open')}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    assert.equal(tok.status, 401);
    assert.equal(((await tok.json()) as { error: string }).error, 'invalid_client');
    assert.equal(connections, 0, 'the loopback listener received nothing');
  });

  test('undefined scopes cannot be added by update, so no token carries them', async () => {
    const reg = (await register('open', plain)).body as Registered;
    const up = await put(reg, { ...plain, scope: 'payments:write internal-admin' });
    assert.equal(up.status, 400);
    assert.equal(up.body.error, 'invalid_client_metadata');
    const cc = await clientCredentials(srv, 'open', reg.client_id, reg.client_secret, { scope: 'payments:write internal-admin' });
    assert.notEqual(cc.status, 200);
    const body = (await cc.json()) as { error: string; access_token?: string };
    assert.equal(body.access_token, undefined);
    assert.match(body.error, /^(unauthorized_client|invalid_scope)$/);
  });

  test('what POST allows, PUT allows: defined and standard scopes', async () => {
    const reg = (await register('open', plain)).body as Registered;
    const up = await put(reg, { ...plain, client_name: 'Renamed', scope: 'openid profile api:read' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.client_name, 'Renamed');
    assert.equal(up.body.scope, 'openid profile api:read');
  });
});

describe('RFC 7592 update by a registrant with an initial access token', () => {
  test('keeps the grants and scopes its registration was allowed, and still no internal URLs', async () => {
    const iat = (await gqlOk<{ createInitialAccessToken: string }>(srv, 'mutation { createInitialAccessToken(tenant: "vetted") }'))
      .createInitialAccessToken;
    const svc = { client_name: 'svc', grant_types: ['client_credentials'], response_types: [], scope: 'api:read' };
    const reg = (await register('vetted', svc, iat)).body as Registered;
    assert.ok(reg.client_id);
    const up = await put(reg, { ...svc, client_name: 'svc 2', scope: 'api:read api:write' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const cc = await clientCredentials(srv, 'vetted', reg.client_id, reg.client_secret, { scope: 'api:write' });
    assert.equal(cc.status, 200);
    const internal = await put(reg, { ...svc, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `https://${loopback}/jwks` });
    assert.equal(internal.status, 400);
    assert.equal(internal.body.error, 'invalid_client_metadata');
    assert.equal(connections, 0);
  });
});
