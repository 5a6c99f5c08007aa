import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createClient, createTenant } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { createMetricsServer } from '../src/http/metrics-endpoint.js';
import { HttpMetrics, routeLabel } from '../src/http/metrics.js';

/** Issue 12 finding 5: /metrics labels are route templates, never caller-chosen path pieces (docs/security.md "Metrics"). */
const T = 'demo';
const TOKEN = 'metrics-token-0123456789abcdef';
let srv: TestServer;
let locked: TestServer;

before(async () => {
  srv = await startTestServer({ label: 'sec-metrics' });
  locked = await startTestServer({ label: 'sec-metrics-token', env: { METRICS_TOKEN: TOKEN } });
  await createTenant(srv, T);
});
after(async () => {
  await srv.close();
  await locked.close();
});

const rnd = (): string => randomBytes(9).toString('base64url');
/** The attack's shapes: ids of every kind of route, unknown paths and unknown tenants. */
const shapes = [
  () => `/t/${T}/interaction/${rnd()}`,
  () => `/t/${T}/interaction/${rnd()}/login`,
  () => `/t/${T}/interaction/${rnd()}/${rnd()}`,
  () => `/t/${T}/register/${rnd()}`,
  () => `/t/${T}/authorize/resume/${rnd()}`,
  () => `/t/${T}/${rnd()}`,
  () => `/t/${T}/${rnd()}/${rnd()}/${rnd()}/${rnd()}`,
  () => `/t/${rnd()}/token`,
  () => `/${rnd()}`,
  () => `/graphql/${rnd()}?x=${rnd()}`,
];

async function hit(n: number, used: string[]): Promise<void> {
  const paths = Array.from({ length: n }, (_, i) => shapes[i % shapes.length]!());
  used.push(...paths);
  for (let i = 0; i < paths.length; i += 25) {
    await Promise.all(paths.slice(i, i + 25).map(async (p) => (await fetch(srv.url + p, { redirect: 'manual' })).arrayBuffer()));
  }
}

async function seriesCount(): Promise<{ count: number; text: string }> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return { count: text.split('\n').filter((l) => l.startsWith('gatehouse_http_')).length, text };
}

test('the series count stays constant under 1,000 random paths, and no id appears', async () => {
  const used: string[] = [];
  await hit(shapes.length * 3, used); // every shape once or more: its series exist
  await seriesCount(); // and the series of GET /metrics itself
  const before = await seriesCount();
  await hit(1_000, used);
  const afterwards = await seriesCount();
  assert.equal(afterwards.count, before.count);
  for (const p of used)
    for (const piece of p.split(/[/?=]/).filter((x) => x.length === 12))
      assert.ok(!afterwards.text.includes(piece), `${piece} leaked into /metrics`);
  assert.match(afterwards.text, /route="\/t\/:slug\/interaction\/:uid"/);
  assert.match(afterwards.text, /route="other"/);
});

test('no client id appears in /metrics', async () => {
  const { clientId } = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  await fetch(`${srv.url}/t/${T}/register/${clientId}`);
  assert.ok(!(await seriesCount()).text.includes(clientId));
});

test('route templates: a small fixed set, `other` for the rest', () => {
  assert.equal(routeLabel('/t/acme/token?x=1'), '/t/:slug/token');
  assert.equal(routeLabel('/t/acme/interaction/abc/consent'), '/t/:slug/interaction/:uid/consent');
  assert.equal(routeLabel('/t/acme/interaction/abc/anything'), 'other');
  assert.equal(routeLabel('/t/acme/register/cid'), '/t/:slug/register/:clientId');
  assert.equal(routeLabel('/t/acme/check_session/origin'), '/t/:slug/check_session/origin');
  assert.equal(routeLabel('/t/acme/.well-known/openid-configuration'), '/t/:slug/.well-known/openid-configuration');
  assert.equal(routeLabel('/t/acme/nope'), 'other');
  assert.equal(routeLabel('/metrics'), '/metrics');
  assert.equal(routeLabel('/whatever'), 'other');
});

test('METRICS_TOKEN: /metrics needs the bearer token', async () => {
  assert.equal((await fetch(`${locked.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${locked.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
  const ok = await fetch(`${locked.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /gatehouse_http_requests_total/);
});

test('METRICS_PORT: a separate listener serves /metrics and nothing else', async () => {
  const server = createMetricsServer(new HttpMetrics(false), undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
    assert.equal((await fetch(`${url}/graphql`)).status, 404);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
