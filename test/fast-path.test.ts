import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp } from '../src/http/app.js';
import { withFastPaths } from '../src/http/fast-path.js';
import { HttpMetrics } from '../src/http/metrics.js';
import { createClient, createTenant, type CreatedClient } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// The fast paths (http/fast-path.ts, http/endpoint-fast-path.ts) answer discovery, JWKS
// and the per-token endpoints without the Express router. The answers must be
// indistinguishable from the routed ones: same status, body and headers (request id
// and date aside), same 304 handling, same metrics. The reference is a server on the
// same runtime with the Express app alone.
let srv: TestServer;
let fastUrl: string;
let expressUrl: string;
let metrics: HttpMetrics;
const closers: (() => Promise<void>)[] = [];
let cc: CreatedClient;

async function listen(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  srv = await startTestServer({ label: 'fastpath' });
  await createTenant(srv, 'fast');
  cc = await createClient(srv, 'fast', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api:read'],
  });
  metrics = new HttpMetrics(false);
  fastUrl = await listen(withFastPaths(srv.rt, createApp(srv.rt, { metrics }), metrics));
  expressUrl = await listen(createApp(srv.rt) as unknown as RequestListener);
});
after(async () => {
  for (const close of closers) await close();
  await srv.close();
});

const comparable = (h: Headers) => {
  const out = Object.fromEntries(h);
  delete out.date;
  delete out['x-request-id'];
  delete out['keep-alive'];
  delete out.connection;
  return out;
};

for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks']) {
  test(`${path}: the fast answer equals the Express answer`, async () => {
    const reference = await fetch(`${expressUrl}/t/fast${path}`);
    const referenceBody = await reference.text();
    assert.equal(reference.status, 200);
    // The first answer of a kind comes from Express (and teaches the fast path); later ones do not.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${fastUrl}/t/fast${path}`, { headers: { 'x-request-id': `trace-${i}` } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), referenceBody);
      assert.deepEqual(comparable(res.headers), comparable(reference.headers));
      assert.equal(res.headers.get('x-request-id'), `trace-${i}`);
    }
    const etag = reference.headers.get('etag')!;
    const notModified = await fetch(`${fastUrl}/t/fast${path}`, { headers: { 'if-none-match': etag } });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get('etag'), etag);
    assert.match(notModified.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
}

test('everything else still goes through Express', async () => {
  assert.equal((await fetch(`${fastUrl}/t/no-such-tenant/jwks`)).status, 404);
  assert.equal((await fetch(`${fastUrl}/t/fast/jwks?x=1`)).status, 200);
  assert.equal((await fetch(`${fastUrl}/t/fast/jwks`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`${fastUrl}/healthz`)).status, 200);
});

test('fast answers are counted under the same route labels', async () => {
  const text = await metrics.registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('gatehouse_http_requests_total{') && l.includes('route="/t/:slug/jwks"') && l.includes('status="200"'));
  assert.ok(line, 'a jwks 200 series exists');
  assert.ok(Number(line!.split(' ').pop()) >= 4);
  assert.ok(text.includes('route="/t/:slug/.well-known/openid-configuration",status="304"'));
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

/** Requests whose routed and direct answers must match; bodies with tokens are compared by shape. */
const directCases: { name: string; path: string; init: () => RequestInit; volatile?: string[] }[] = [
  {
    name: 'client_credentials token',
    path: '/token',
    init: () => ({
      method: 'POST',
      headers: { authorization: basic(cc.clientId, cc.clientSecret!), 'content-type': FORM },
      body: 'grant_type=client_credentials&scope=api%3Aread',
    }),
    volatile: ['access_token'],
  },
  {
    name: 'wrong client secret',
    path: '/token',
    init: () => ({
      method: 'POST',
      headers: { authorization: basic(cc.clientId, 'wrong'), 'content-type': FORM },
      body: 'grant_type=client_credentials',
    }),
  },
  {
    name: 'malformed form',
    path: '/token',
    init: () => ({
      method: 'POST',
      headers: { authorization: basic(cc.clientId, cc.clientSecret!), 'content-type': FORM },
      body: 'grant_type=%E0%A4%A',
    }),
  },
  {
    name: 'JSON instead of a form',
    path: '/token',
    init: () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' }),
  },
  {
    name: 'body too large',
    path: '/token',
    init: () => ({ method: 'POST', headers: { 'content-type': FORM }, body: `x=${'a'.repeat(200_000)}` }),
  },
  {
    name: 'repeated parameter',
    path: '/introspect',
    init: () => ({
      method: 'POST',
      headers: { authorization: basic(cc.clientId, cc.clientSecret!), 'content-type': FORM },
      body: 'token=a&token=b',
    }),
  },
  {
    name: 'introspection of an unknown token',
    path: '/introspect',
    init: () => ({
      method: 'POST',
      headers: { authorization: basic(cc.clientId, cc.clientSecret!), 'content-type': FORM },
      body: 'token=nope',
    }),
  },
  {
    name: 'revocation of an unknown token',
    path: '/revoke',
    init: () => ({
      method: 'POST',
      headers: { authorization: basic(cc.clientId, cc.clientSecret!), 'content-type': FORM },
      body: 'token=nope',
    }),
  },
  { name: 'userinfo without a token', path: '/userinfo', init: () => ({ method: 'GET' }) },
  {
    name: 'userinfo with a bad token',
    path: '/userinfo',
    init: () => ({ method: 'GET', headers: { authorization: 'Bearer not-a-token' } }),
  },
  {
    name: 'userinfo with a client_credentials token',
    path: '/userinfo',
    init: () => ({ method: 'POST', headers: { 'content-type': FORM }, body: 'access_token=abc' }),
  },
];

for (const c of directCases) {
  test(`direct endpoint, ${c.name}: the same answer as through the router`, async () => {
    const routed = await fetch(`${expressUrl}/t/fast${c.path}`, c.init());
    const direct = await fetch(`${fastUrl}/t/fast${c.path}`, {
      ...c.init(),
      headers: { ...(c.init().headers as Record<string, string>), 'x-request-id': 'direct-1' },
    });
    assert.equal(direct.status, routed.status);
    const [a, b] = [await routed.text(), await direct.text()];
    if (c.volatile) {
      const [ja, jb] = [JSON.parse(a) as Record<string, unknown>, JSON.parse(b) as Record<string, unknown>];
      for (const k of c.volatile) {
        assert.equal(typeof jb[k], typeof ja[k]);
        delete ja[k];
        delete jb[k];
      }
      assert.deepEqual(jb, ja);
    } else assert.equal(b, a);
    const ha = comparable(routed.headers);
    const hb = comparable(direct.headers);
    delete ha['content-length'];
    delete hb['content-length'];
    assert.deepEqual(hb, ha);
    assert.equal(direct.headers.get('x-request-id'), 'direct-1');
  });
}

test('a direct token answer is counted under its route label', async () => {
  const text = await metrics.registry.metrics();
  assert.ok(text.includes('route="/t/:slug/token",status="200"'));
  assert.ok(text.includes('route="/t/:slug/userinfo",status="401"'));
});
