import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';

// Two processes' worth of Gatehouse on one database: what one changes, the other serves
// within the cache sync interval (0.2 s in tests), and the one that changed it at once.
let a: TestServer;
let b: TestServer;
before(async () => {
  const dbName = testDatabaseName('replicas');
  const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
  a = await startTestServer({ dbName, env });
  b = await startTestServer({ dbName, env });
});
after(async () => {
  await a.close();
  await b.close();
});

async function kids(srv: TestServer, slug: string): Promise<string[]> {
  const res = await fetch(`${srv.url}/t/${slug}/jwks`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
}

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail('not seen within the sync interval');
}

test('a key rotation made on one replica is served by the other within seconds', async () => {
  await createTenant(a, 'shared');
  const before = await kids(b, 'shared');
  assert.deepEqual(await kids(a, 'shared'), before);
  await gqlOk(a, 'mutation { rotateSigningKeys(tenant: "shared") { slug } }');
  const afterA = await kids(a, 'shared');
  assert.notDeepEqual(afterA, before, 'the replica that rotated never serves the stale set');
  await eventually(async () => JSON.stringify(await kids(b, 'shared')) === JSON.stringify(afterA));
});

test('a tenant created on one replica is found on the other; a deleted one disappears', async () => {
  assert.equal((await fetch(`${b.url}/t/later/jwks`)).status, 404);
  await createTenant(a, 'later');
  await eventually(async () => (await fetch(`${b.url}/t/later/jwks`)).status === 200);
  await gqlOk(a, 'mutation { deleteTenant(slug: "later") }');
  assert.equal((await fetch(`${a.url}/t/later/jwks`)).status, 404);
  await eventually(async () => (await fetch(`${b.url}/t/later/jwks`)).status === 404);
});
