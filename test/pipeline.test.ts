import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp } from '../src/http/app.js';
import { HttpMetrics } from '../src/http/metrics.js';
import { RouteTable } from '../src/http/route-table.js';
import { createClient, createTenant, type CreatedClient } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// One request pipeline for every path (docs/architecture.md "One request's path"): the
// answer does not depend on whether the tenant was in memory (warm) or loaded for this
// request (cold), nor on a query string the endpoint does not read. Same status, body and
// headers (request id and date aside), the same 304 handling, the same metrics.
let srv: TestServer;
let url: string;
let metrics: HttpMetrics;
const closers: (() => Promise<void>)[] = [];
let cc: CreatedClient;
const T = 'pipe';

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
  srv = await startTestServer({ label: 'pipeline' });
  await createTenant(srv, T);
  cc = await createClient(srv, T, {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api:read'],
  });
  metrics = new HttpMetrics(false);
  url = await listen(createApp(srv.rt, { metrics }));
});
after(async () => {
  for (const close of closers) await close();
  await srv.close();
});

const comparable = (h: Headers, ...also: string[]) => {
  const out = Object.fromEntries(h);
  for (const name of ['date', 'x-request-id', 'keep-alive', 'connection', ...also]) delete out[name];
  return out;
};

/** Forgets the tenant, so the next request loads it through the registry. */
const cool = () => srv.rt.tenants.drop(T);

for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks']) {
  test(`${path}: cold, warm and with a query string, the same answer`, async () => {
    cool();
    const cold = await fetch(`${url}/t/${T}${path}`, { headers: { 'x-request-id': 'cold-1' } });
    const body = await cold.text();
    assert.equal(cold.status, 200);
    assert.equal(cold.headers.get('x-request-id'), 'cold-1');
    assert.equal(cold.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(cold.headers.get('content-security-policy'));
    for (const [i, suffix] of ['', '?x=1', '/', '?', ''].entries()) {
      const res = await fetch(`${url}/t/${T}${path}${suffix}`, { headers: { 'x-request-id': `trace-${i}` } });
      assert.equal(res.status, 200, suffix);
      assert.equal(await res.text(), body);
      assert.deepEqual(comparable(res.headers), comparable(cold.headers));
      assert.equal(res.headers.get('x-request-id'), `trace-${i}`);
    }
    const etag = cold.headers.get('etag')!;
    cool();
    const coldNotModified = await fetch(`${url}/t/${T}${path}`, { headers: { 'if-none-match': etag } });
    const notModified = await fetch(`${url}/t/${T}${path}?y=2`, { headers: { 'if-none-match': etag } });
    for (const res of [coldNotModified, notModified]) {
      assert.equal(res.status, 304);
      assert.equal(res.headers.get('etag'), etag);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    }
    assert.deepEqual(comparable(notModified.headers), comparable(coldNotModified.headers));
    const head = await fetch(`${url}/t/${T}${path}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.deepEqual(comparable(head.headers), comparable(cold.headers));
  });
}

test('unknown tenants and paths, other methods, top-level paths', async () => {
  assert.equal((await fetch(`${url}/t/no-such-tenant/jwks`)).status, 404);
  assert.equal((await fetch(`${url}/t/no-such-tenant/jwks?x=1`)).status, 404);
  assert.equal((await fetch(`${url}/t/${T}/nope`)).status, 404);
  const post = await fetch(`${url}/t/${T}/jwks`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
  assert.equal(((await post.json()) as { error: string }).error, 'method_not_allowed');
  const get = await fetch(`${url}/t/${T}/token?x=1`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  assert.equal((await fetch(`${url}/healthz?x=1`)).status, 200);
  const bad = await fetch(`${url}/t/%E0%A4%A/jwks`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: string }).error, 'invalid_request');
});

test('answers are counted under the same route labels, query string or not', async () => {
  const text = await metrics.registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('gatehouse_http_requests_total{') && l.includes('route="/t/:slug/jwks"') && l.includes('status="200"'));
  assert.ok(line, 'a jwks 200 series exists');
  assert.ok(Number(line!.split(' ').pop()) >= 6);
  assert.ok(text.includes('route="/t/:slug/.well-known/openid-configuration",status="304"'));
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

/** Requests whose answers must not depend on the tenant being warm or a query string; bodies with tokens are compared by shape. */
const cases: { name: string; path: string; init: () => RequestInit; volatile?: string[] }[] = [
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
    name: 'token preflight',
    path: '/token',
    init: () => ({ method: 'OPTIONS', headers: { origin: 'https://spa.example', 'access-control-request-method': 'POST' } }),
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
    name: 'userinfo with a token in the form',
    path: '/userinfo',
    init: () => ({ method: 'POST', headers: { 'content-type': FORM }, body: 'access_token=abc' }),
  },
];

for (const c of cases) {
  test(`${c.name}: cold, warm and with a query string, the same answer`, async () => {
    cool();
    const reference = await fetch(`${url}/t/${T}${c.path}`, c.init());
    const referenceBody = await reference.text();
    for (const suffix of ['', '?x=1']) {
      const res = await fetch(`${url}/t/${T}${c.path}${suffix}`, {
        ...c.init(),
        headers: { ...(c.init().headers as Record<string, string>), 'x-request-id': 'same-1' },
      });
      assert.equal(res.status, reference.status, suffix);
      const body = await res.text();
      if (c.volatile) {
        const [ja, jb] = [JSON.parse(referenceBody) as Record<string, unknown>, JSON.parse(body) as Record<string, unknown>];
        for (const k of c.volatile) {
          assert.equal(typeof jb[k], typeof ja[k]);
          delete ja[k];
          delete jb[k];
        }
        assert.deepEqual(jb, ja);
      } else assert.equal(body, referenceBody);
      assert.deepEqual(comparable(res.headers, 'content-length'), comparable(reference.headers, 'content-length'));
      assert.equal(res.headers.get('x-request-id'), 'same-1');
    }
  });
}

test('a token answer is counted under its route label', async () => {
  const text = await metrics.registry.metrics();
  assert.ok(text.includes('route="/t/:slug/token",status="200"'));
  assert.ok(text.includes('route="/t/:slug/userinfo",status="401"'));
});

test('route table: parameters keep their case and are decoded; fixed segments and one trailing slash are lenient', () => {
  const table = new RouteTable([
    { method: 'GET', path: '/authorize/resume/:uid' },
    { method: 'GET', path: '/register/:clientId' },
    { method: 'PUT', path: '/register/:clientId' },
    { method: 'POST', path: '/token' },
    { method: 'OPTIONS', path: '/token' },
  ]);
  const m = table.match('GET', '/Authorize/Resume/AbC-9_x');
  assert.equal(m.kind, 'route');
  assert.deepEqual(m.kind === 'route' && m.params, { uid: 'AbC-9_x' });
  const c = table.match('HEAD', '/register/a%20B/');
  assert.deepEqual(c.kind === 'route' && c.params, { clientId: 'a B' });
  assert.deepEqual(table.match('DELETE', '/register/x'), { kind: 'method-not-allowed', allow: 'GET, PUT' });
  assert.deepEqual(table.match('GET', '/TOKEN'), { kind: 'method-not-allowed', allow: 'POST' });
  assert.equal(table.match('GET', '/register/').kind, 'none');
  assert.equal(table.match('GET', '/authorize/resume/a/b').kind, 'none');
  assert.throws(() => table.match('GET', '/register/%E0%A4%A'), /malformed/);
});

test('route headers: on every answer of the route, the answer’s own win, security headers beside them; the same list each time', async () => {
  const init = (): RequestInit => ({
    method: 'POST',
    headers: { authorization: basic(cc.clientId, cc.clientSecret!), 'content-type': FORM },
    body: 'token=nope',
  });
  // Introspection: a JSON answer without headers of its own (its head is made once per route).
  const [a, b] = [await fetch(`${url}/t/${T}/introspect`, init()), await fetch(`${url}/t/${T}/introspect`, init())];
  for (const res of [a, b]) {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(await res.json(), { active: false });
  }
  assert.deepEqual(
    [...b.headers.keys()].filter((k) => k !== 'date'),
    [...a.headers.keys()].filter((k) => k !== 'date'),
  );
  // Revocation: a frozen answer with route headers.
  const revoked = await fetch(`${url}/t/${T}/revoke`, init());
  assert.equal(revoked.status, 200);
  assert.equal(revoked.headers.get('access-control-allow-origin'), '*');
  assert.equal(revoked.headers.get('cache-control'), 'no-store');
  // Userinfo: an error answer with its own header (WWW-Authenticate) and the route's CORS headers.
  const unauthorized = await fetch(`${url}/t/${T}/userinfo`);
  assert.equal(unauthorized.status, 401);
  assert.match(unauthorized.headers.get('www-authenticate') ?? '', /^Bearer /);
  assert.equal(unauthorized.headers.get('access-control-allow-origin'), '*');
  assert.equal(unauthorized.headers.get('cache-control'), 'no-store');
});

test('route labels: a fixed route’s label is the one its URL gives (trailing slash, query, letter case)', async () => {
  const count = async (route: string, status: number): Promise<number> => {
    const line = (await metrics.registry.metrics())
      .split('\n')
      .find((l) => l.startsWith('gatehouse_http_requests_total{') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const jwks = await count('/t/:slug/jwks', 200);
  const other = await count('other', 200);
  for (const suffix of ['', '/', '?x=1']) assert.equal((await fetch(`${url}/t/${T}/jwks${suffix}`)).status, 200);
  // The route table matches fixed segments in any case; the label does not (routeLabel).
  assert.equal((await fetch(`${url}/t/${T}/JWKS`)).status, 200);
  assert.equal(await count('/t/:slug/jwks', 200), jwks + 3);
  assert.equal(await count('other', 200), other + 1);
});
