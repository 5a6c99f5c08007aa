import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminToken, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ label: 'smoke' });
});
after(() => srv.close());

test('the system tenant exists and the bootstrap admin can query tenants', async () => {
  const token = await adminToken(srv);
  const data = await gqlOk(srv, '{ tenants { edges { node { slug issuer } } } }', {}, token);
  assert.deepEqual(
    data.tenants.edges.map((e: { node: { slug: string } }) => e.node.slug),
    ['system'],
  );
  assert.equal(data.tenants.edges[0].node.issuer, `${srv.url}/t/system`);
});
