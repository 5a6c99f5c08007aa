import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp } from '../src/http/app.js';
import { withFastPaths } from '../src/http/fast-path.js';
import { HttpMetrics } from '../src/http/metrics.js';
import { createTenant } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// The fast path (http/fast-path.ts) answers discovery and JWKS without Express. The
// answers must be indistinguishable from the Express ones: same status, body and
// headers (request id and date aside), same 304 handling, same metrics.
let srv: TestServer;
let fastUrl: string;
let metrics: HttpMetrics;
let close: () => Promise<void>;

before(async () => {
  srv = await startTestServer({ label: 'fastpath' });
  await createTenant(srv, 'fast');
  metrics = new HttpMetrics(false);
  const app = createApp(srv.rt, { metrics });
  const server = createServer(withFastPaths(srv.rt, app as RequestListener, metrics));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fastUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
});
after(async () => {
  await close();
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
    const reference = await fetch(`${srv.url}/t/fast${path}`);
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
  const line = text.split('\n').find((l) => l.startsWith('gatehouse_http_requests_total{') && l.includes('route="/t/:slug/jwks"') && l.includes('status="200"'));
  assert.ok(line, 'a jwks 200 series exists');
  assert.ok(Number(line!.split(' ').pop()) >= 4);
  assert.ok(text.includes('route="/t/:slug/.well-known/openid-configuration",status="304"'));
});
