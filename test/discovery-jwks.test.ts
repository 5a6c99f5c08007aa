import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTenant } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ label: 'disco' });
  await createTenant(srv, 'acme', 'Acme Corp');
  await createTenant(srv, 'globex', 'Globex', { signingAlg: 'ES256' });
});
after(() => srv.close());

async function json(url: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('discovery', () => {
  test('each tenant announces its exact issuer and its own endpoints', async () => {
    for (const slug of ['acme', 'globex']) {
      const { status, body, headers } = await json(`${srv.url}/t/${slug}/.well-known/openid-configuration`);
      assert.equal(status, 200);
      assert.match(headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(body.issuer, `${srv.url}/t/${slug}`);
      assert.equal(body.jwks_uri, `${srv.url}/t/${slug}/jwks`);
      assert.equal(body.token_endpoint, `${srv.url}/t/${slug}/token`);
      assert.ok(body.grant_types_supported.includes('client_credentials'));
      assert.ok(body.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
      assert.ok(body.token_endpoint_auth_methods_supported.includes('client_secret_post'));
    }
  });

  test('every announced endpoint answers (nothing is announced that does not exist)', async () => {
    const { body } = await json(`${srv.url}/t/acme/.well-known/openid-configuration`);
    for (const [name, value] of Object.entries(body)) {
      if (!name.endsWith('_endpoint') && name !== 'jwks_uri' && name !== 'check_session_iframe') continue;
      const res = await fetch(value as string, { redirect: 'manual' });
      assert.notEqual(res.status, 404, `${name} (${value}) is announced but answers 404`);
      await res.body?.cancel();
    }
  });

  test('RFC 8414 metadata is served too', async () => {
    const { status, body } = await json(`${srv.url}/t/acme/.well-known/oauth-authorization-server`);
    assert.equal(status, 200);
    assert.equal(body.issuer, `${srv.url}/t/acme`);
  });

  test('ETag revalidation answers 304', async () => {
    const first = await fetch(`${srv.url}/t/acme/.well-known/openid-configuration`);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.match(first.headers.get('cache-control') ?? '', /max-age/);
    const second = await fetch(`${srv.url}/t/acme/.well-known/openid-configuration`, { headers: { 'if-none-match': etag } });
    assert.equal(second.status, 304);
  });

  test('an unknown tenant is a 404 with a JSON body', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/token']) {
      const res = await fetch(`${srv.url}/t/no-such-tenant${path}`, { method: path === '/token' ? 'POST' : 'GET' });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const body = (await res.json()) as { error: string };
      assert.equal(body.error, 'not_found');
    }
  });

  test('an invalid slug in the path is a 404 too, not a crash', async () => {
    const res = await fetch(`${srv.url}/t/${'x'.repeat(500)}/jwks`);
    assert.equal(res.status, 404);
    const res2 = await fetch(`${srv.url}/t/%E0%A4%A/jwks`);
    assert.ok(res2.status === 404 || res2.status === 400);
  });
});

describe('JWKS', () => {
  test('serves only public members, one ACTIVE and one NEXT key per algorithm', async () => {
    const { status, body, headers } = await json(`${srv.url}/t/acme/jwks`);
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /json/);
    assert.match(headers.get('cache-control') ?? '', /max-age/);
    assert.ok(headers.get('etag'));
    assert.equal(body.keys.length, 8);
    for (const jwk of body.keys) {
      for (const m of PRIVATE_MEMBERS) assert.equal(jwk[m], undefined, `private member ${m} in ${jwk.kid}`);
      assert.equal(jwk.use, 'sig');
      assert.ok(jwk.kid);
    }
    const algs = body.keys.map((k: { alg: string }) => k.alg).sort();
    assert.deepEqual(algs, ['ES256', 'ES256', 'EdDSA', 'EdDSA', 'PS256', 'PS256', 'RS256', 'RS256']);
    const rsa = body.keys.find((k: { kty: string }) => k.kty === 'RSA');
    assert.ok(Buffer.from(rsa.n, 'base64url').length >= 256, 'RSA keys are at least 2048 bits');
  });

  test('two tenants have disjoint key ids', async () => {
    const a = (await json(`${srv.url}/t/acme/jwks`)).body.keys.map((k: { kid: string }) => k.kid);
    const b = (await json(`${srv.url}/t/globex/jwks`)).body.keys.map((k: { kid: string }) => k.kid);
    assert.equal(new Set([...a, ...b]).size, a.length + b.length);
  });
});
