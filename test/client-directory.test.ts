/**
 * The client cache's background re-read (clients/client-directory.ts): a change whose
 * tenant revision bump was lost is seen once a cached entry is older than a minute, and
 * the re-reads of many entries that come due together go one at a time, not one per
 * request (docs/performance.md "Tenant loading").
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientDirectory } from '../src/clients/client-directory.js';
import { clientDocId } from '../src/store/index.js';
import type { TenantContext } from '../src/tenancy/tenant-context.js';
import { createClient, createTenant } from './helpers/admin.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';

const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };

/** Waits (in short steps) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await sleep(25);
  assert.ok(done(), 'condition not reached');
}

describe('client cache re-reads', () => {
  let srv: TestServer;
  let tenant: TenantContext;
  const clientIds: string[] = [];

  before(async () => {
    srv = await startTestServer({ dbName: testDatabaseName('clientdir'), env });
    await createTenant(srv, 'clientdir');
    for (let i = 0; i < 5; i++) {
      const c = await createClient(srv, 'clientdir', {
        name: `svc-${i}`,
        clientType: 'CONFIDENTIAL',
        grantTypes: ['client_credentials'],
        scopes: ['api:read'],
      });
      clientIds.push(c.clientId);
    }
    tenant = (await srv.rt.tenants.get('clientdir'))!;
  });
  after(() => srv?.close());

  /** A change written without the revision bump, as a crash between the two writes would leave it. */
  const renameBehindTheCache = (clientId: string, name: string) =>
    srv.db.collection('clients').updateOne({ _id: clientDocId(tenant.id, clientId) as never }, { $set: { name } });

  test('a change whose revision bump was lost is seen after a minute, through a background re-read', async () => {
    const dir = new ClientDirectory(50);
    const id = clientIds[0]!;
    assert.equal((await dir.find(tenant, id))?.name, 'svc-0');
    await renameBehindTheCache(id, 'renamed-0');
    assert.equal((await dir.find(tenant, id))?.name, 'svc-0', 'fresh entries are answered from memory');
    srv.clock.advance(61_000);
    // The due entry is still answered at once (the request does not wait), and read again behind it.
    assert.equal((await dir.find(tenant, id))?.name, 'svc-0');
    await until(() => dir.pendingRevalidations === 0);
    let name: string | undefined;
    for (let i = 0; i < 40 && name !== 'renamed-0'; i++) {
      name = (await dir.find(tenant, id))?.name;
      if (name !== 'renamed-0') await sleep(25);
    }
    assert.equal(name, 'renamed-0');
  });

  test('entries due together are re-read one at a time, each once however often they are asked for', async () => {
    const dir = new ClientDirectory(20);
    for (const id of clientIds) await dir.find(tenant, id);
    for (const [i, id] of clientIds.entries()) await renameBehindTheCache(id, `batch-${i}`);
    srv.clock.advance(61_000);
    for (let round = 0; round < 3; round++) for (const id of clientIds) await dir.find(tenant, id);
    // One re-read started at once; the other four wait their turn, each queued once.
    assert.equal(dir.pendingRevalidations, clientIds.length - 1);
    await until(() => dir.pendingRevalidations === 0);
    const names: (string | undefined)[] = [];
    for (let i = 0; i < 40; i++) {
      names.length = 0;
      for (const id of clientIds) names.push((await dir.find(tenant, id))?.name);
      if (names.every((n, j) => n === `batch-${j}`)) break;
      await sleep(25);
    }
    assert.deepEqual(
      names,
      clientIds.map((_, j) => `batch-${j}`),
    );
  });

  test('a disabled client stops being found once re-read', async () => {
    const dir = new ClientDirectory(50);
    const id = clientIds[1]!;
    assert.ok(await dir.find(tenant, id));
    await srv.db.collection('clients').updateOne({ _id: clientDocId(tenant.id, id) as never }, { $set: { disabled: true } });
    srv.clock.advance(61_000);
    assert.ok(await dir.find(tenant, id), 'answered from memory while the re-read runs');
    let found: unknown = true;
    for (let i = 0; i < 40 && found; i++) {
      await sleep(25);
      found = await dir.find(tenant, id);
    }
    assert.equal(found, null);
  });
});
