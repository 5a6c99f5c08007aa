import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminToken, gqlOk } from './helpers/admin.js';
import { countCommands } from './helpers/db.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;

const clients = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    clientId: `${prefix}-${String(i).padStart(3, '0')}`,
    name: `Client ${i}`,
    clientType: 'PUBLIC',
    redirectUris: [`https://c${i}.example/cb`],
  }));

async function createTenantWith(slug: string, n: number): Promise<void> {
  await gqlOk(
    srv,
    'mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }',
    { input: { slug, displayName: slug, clients: clients(n, slug) } },
    token,
  );
}

before(async () => {
  // Counted commands must be the query's own, not the background cache-sync poll's; and
  // with a long sync interval admin authentication's freshness check (src/admin/authz.ts)
  // is satisfied by one poll for the whole file instead of polling on each request.
  // The counts are of one request's commands: no background polls in between.
  srv = await startTestServer({
    label: 'roundtrips',
    env: { GATEHOUSE_CACHE_SYNC_SECONDS: '300' },
    without: ['eventDelivery', 'logoutDelivery'],
  });
  srv.rt.tenants.stopSync();
  token = await adminToken(srv);
  await createTenantWith('big', 50);
  await createTenantWith('small', 5);
  for (let i = 0; i < 12; i++) await createTenantWith(`many-${String(i).padStart(2, '0')}`, 3);
});
after(() => srv.close());

/** Database commands one GraphQL request costs (authentication included). */
async function cost(query: string, variables: Record<string, unknown> = {}): Promise<{ commands: number; data: any }> {
  await new Promise((r) => setTimeout(r, 50));
  const counter = countCommands(srv.store);
  try {
    const data = await gqlOk(srv, query, variables, token);
    return { commands: counter.count, data };
  } finally {
    counter.stop();
  }
}

const NESTED = `query($slug: String!, $n: Int) { tenant(slug: $slug) { clients(first: $n) { edges { node { clientId tenant { slug signingKeys { kid status } } } } } } }`;

test('50 clients of a tenant with their tenant and keys cost as many round trips as 5', async () => {
  // Drop the in-memory caches so the query pays for the tenant and its keys itself.
  srv.rt.tenants.drop('big');
  srv.rt.tenants.drop('small');
  const big = await cost(NESTED, { slug: 'big', n: 50 });
  assert.equal(big.data.tenant.clients.edges.length, 50);
  assert.equal(big.data.tenant.clients.edges[49].node.tenant.signingKeys.length, 8);
  const small = await cost(NESTED, { slug: 'small', n: 5 });
  assert.ok(big.commands <= 4, `50 clients cost ${big.commands} commands`);
  assert.ok(big.commands <= small.commands + 1, `50 clients: ${big.commands}, 5 clients: ${small.commands}`);
});

test('many tenants with their clients and keys cost a bounded number of round trips', async () => {
  const q = `query($n: Int) { tenants(first: $n, filter: {slugPrefix: "many-"}) { edges { node { slug signingKeys { kid } clients(first: 10) { edges { node { clientId tenant { slug } } } } } } } }`;
  for (const slug of Object.keys(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`many-${String(i).padStart(2, '0')}`, 1]))))
    srv.rt.tenants.drop(slug);
  const thirty = await cost(q, { n: 12 });
  assert.equal(thirty.data.tenants.edges.length, 12);
  for (const e of thirty.data.tenants.edges) assert.equal(e.node.clients.edges.length, 3);
  const three = await cost(q, { n: 3 });
  assert.ok(thirty.commands <= 4, `12 tenants cost ${thirty.commands} commands`);
  assert.ok(thirty.commands <= three.commands + 1, `12 tenants: ${thirty.commands}, 3 tenants: ${three.commands}`);
});

test('the batched first pages are exact when one tenant has more clients than the batch window', async () => {
  const d = await gqlOk(
    srv,
    '{ a: tenant(slug: "big") { clients(first: 2) { edges { node { clientId } } pageInfo { hasNextPage } } } b: tenant(slug: "small") { clients(first: 2) { edges { node { clientId } } pageInfo { hasNextPage } } } }',
    {},
    token,
  );
  assert.deepEqual(
    d.a.clients.edges.map((e: any) => e.node.clientId),
    ['big-000', 'big-001'],
  );
  assert.deepEqual(
    d.b.clients.edges.map((e: any) => e.node.clientId),
    ['small-000', 'small-001'],
  );
  assert.equal(d.a.clients.pageInfo.hasNextPage, true);
  const all = await gqlOk(
    srv,
    '{ tenants(first: 100) { edges { node { slug clients(first: 7) { edges { node { clientId } } pageInfo { hasNextPage } } } } } }',
    {},
    token,
  );
  const big = all.tenants.edges.find((e: any) => e.node.slug === 'big').node.clients;
  assert.equal(big.edges.length, 7);
  assert.equal(big.pageInfo.hasNextPage, true);
  const small = all.tenants.edges.find((e: any) => e.node.slug === 'small').node.clients;
  assert.equal(small.edges.length, 5);
  assert.equal(small.pageInfo.hasNextPage, false);
});
