/**
 * The `_id` scheme of records found on a tenant's first request (docs/performance.md
 * "How a tenant loads"): tenants by an `_id`-keyed slug link, clients by
 * `_id` = tenantId:clientId; and the start-time migration of a database written by an
 * older version (store/migrations.ts): idempotent, and what it moved keeps working.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { clientDocId } from '../src/store/index.js';
import { createClient, createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';

const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };
const dbName = testDatabaseName('idscheme');

async function tokenFor(srv: TestServer, slug: string, c: { clientId: string; clientSecret: string }): Promise<string> {
  const config = await oidc.discovery(new URL(srv.issuer(slug)), c.clientId, c.clientSecret, oidc.ClientSecretBasic(c.clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
  return (await oidc.clientCredentialsGrant(config, { scope: 'api:read' })).access_token;
}

describe('the _id scheme', () => {
  let srv: TestServer;
  let svc: { clientId: string; clientSecret: string };
  let tenantId: string;

  before(async () => {
    srv = await startTestServer({ dbName, env });
    await createTenant(srv, 'idscheme');
    const c = await createClient(srv, 'idscheme', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['api:read'],
    });
    svc = { clientId: c.clientId, clientSecret: c.clientSecret! };
    tenantId = (await srv.db.collection<{ _id: string; slug: string }>('tenants').findOne({ slug: 'idscheme' }))!._id;
  });
  after(() => srv?.close());

  test('a new tenant has its slug link and a new client its derived _id', async () => {
    assert.deepEqual(await srv.db.collection('tenant_slugs').findOne({ _id: 'idscheme' as never }), { _id: 'idscheme', tenantId });
    const client = await srv.db.collection('clients').findOne({ tenantId, clientId: svc.clientId });
    assert.equal(client?._id, clientDocId(tenantId, svc.clientId));
    assert.ok(await tokenFor(srv, 'idscheme', svc));
  });

  test('a client id used twice in a tenant is a conflict; the same client id in another tenant is not', async () => {
    const input = { name: 'dup', clientId: 'dup-client', clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], scopes: [] };
    await createClient(srv, 'idscheme', input);
    await assert.rejects(createClient(srv, 'idscheme', input), /already exists/);
    await createTenant(srv, 'idscheme-other');
    await createClient(srv, 'idscheme-other', input);
  });

  test('a slug link to a tenant that is gone finds nothing; creating the slug again repoints it', async () => {
    await srv.db.collection('tenant_slugs').insertOne({ _id: 'idscheme-stale' as never, tenantId: randomUUID() });
    const res = await fetch(`${srv.issuer('idscheme-stale')}/.well-known/openid-configuration`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    srv.rt.tenants.drop('idscheme-stale');
    await createTenant(srv, 'idscheme-stale');
    const again = await fetch(`${srv.issuer('idscheme-stale')}/.well-known/openid-configuration`);
    assert.equal(again.status, 200);
    await again.arrayBuffer();
  });

  test('deleting a tenant removes its slug link', async () => {
    await createTenant(srv, 'idscheme-gone');
    await gqlOk(srv, `mutation { deleteTenant(slug: "idscheme-gone") }`);
    assert.equal(await srv.db.collection('tenant_slugs').findOne({ _id: 'idscheme-gone' as never }), null);
  });

  test('a database of the older shape is migrated at start, and a second run finds nothing to do', async () => {
    // Back to the old shape: no slug link, the client under a random _id, the unique (tenantId, clientId) index.
    let clients = srv.db.collection<{ _id: string; tenantId: string; clientId: string }>('clients');
    await srv.db.collection('tenant_slugs').deleteOne({ _id: 'idscheme' as never });
    const doc = (await clients.findOne({ _id: clientDocId(tenantId, svc.clientId) }))!;
    await clients.deleteOne({ _id: doc._id });
    const legacyId = randomUUID();
    await clients.insertOne({ ...doc, _id: legacyId });
    await clients.createIndex({ tenantId: 1, clientId: 1 }, { unique: true, name: 'tenantId_1_clientId_1' });
    await srv.close();

    srv = await startTestServer({ dbName, env });
    clients = srv.db.collection<{ _id: string; tenantId: string; clientId: string }>('clients');
    assert.equal((await clients.findOne({ _id: legacyId })) ?? null, null, 'the old document is gone');
    assert.equal((await clients.findOne({ _id: clientDocId(tenantId, svc.clientId) }))?.clientId, svc.clientId);
    assert.equal((await srv.db.collection('tenant_slugs').findOne({ _id: 'idscheme' as never }))?.tenantId, tenantId);
    const unique = (await clients.listIndexes().toArray()).filter((ix) => ix.unique && ix.key.tenantId && ix.key.clientId);
    assert.deepEqual(unique, [], 'the old unique index is dropped');
    // The migrated tenant and client serve as before (the client's secret hash moved with it).
    assert.ok(await tokenFor(srv, 'idscheme', svc));
    assert.deepEqual(await srv.store.migrate(), { tenantSlugs: 0, clients: 0 });
  });

  test('a crash between the copy and the delete: the next start finishes the move', async () => {
    const clients = srv.db.collection<{ _id: string; tenantId: string; clientId: string }>('clients');
    const doc = (await clients.findOne({ _id: clientDocId(tenantId, svc.clientId) }))!;
    const legacyId = randomUUID();
    // Both the copy and the old document exist, as after a crash in the middle.
    await clients.insertOne({ ...doc, _id: legacyId });
    assert.deepEqual(await srv.store.migrate(), { tenantSlugs: 0, clients: 1 });
    assert.equal(await clients.countDocuments({ tenantId, clientId: svc.clientId }), 1);
    assert.ok(await tokenFor(srv, 'idscheme', svc));
  });
});
