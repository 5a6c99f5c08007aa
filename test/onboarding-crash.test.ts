/**
 * Atomic onboarding (docs/operations.md, "Onboarding is atomic"): a real Gatehouse process
 * is killed (SIGKILL, by itself at a test-only crash point: GATEHOUSE_TEST_CRASH_AT) at
 * several steps of createTenant with scopes and clients. The half-made tenant is invisible
 * meanwhile; a retry of the same input by another process completes it; nothing is left
 * twice; the audit trail says what happened; one long abandoned is swept at start.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Store } from '../src/store/index.js';
import { adminToken, gql, gqlOk } from './helpers/admin.js';
import { PROCESS_ADMIN_ID, PROCESS_ADMIN_SECRET, startGatehouseProcess, type GatehouseProcess } from './helpers/fault-db.js';
import { openTestDb } from './helpers/db.js';
import { testDatabaseName, testDatabaseUri, type TestServer } from './helpers/server.js';

const CREATE = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } clients { client { clientId } clientSecret } } }`;
const input = (slug: string) => ({
  slug,
  displayName: `Tenant ${slug}`,
  scopes: [{ name: 'api:read', displayName: 'Read the API', description: 'Reads', claims: [] }],
  clients: [
    { clientId: `${slug}-web`, name: 'Web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] },
    {
      clientId: `${slug}-svc`,
      name: 'Service',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      scopes: ['api:read'],
    },
  ],
});

const STEPS = ['createTenant:pending', 'createTenant:scopes', 'createTenant:client1', 'createTenant:populated'];
const slugOf = (step: string) => `crash-${step.split(':')[1]}`;

describe('kill -9 during createTenant', () => {
  const dbName = testDatabaseName('crash');
  const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };
  let survivor: GatehouseProcess;
  let store: Store;
  const db = openTestDb(testDatabaseUri(), dbName);

  before(async () => {
    store = await Store.open(testDatabaseUri(), dbName);
    // One start makes the system tenant and the admin client; the crashing ones find them.
    const boot = await startGatehouseProcess({ mongodbUri: testDatabaseUri(), dbName, env, waitFor: 'ready' });
    boot.kill('SIGTERM');
    await boot.exited;
  });
  after(async () => {
    survivor?.kill('SIGKILL');
    await store?.close();
    await db.close();
  });

  test('at every step: the half tenant is invisible, a retry completes it, nothing is doubled, the trail tells', async () => {
    await Promise.all(
      STEPS.map(async (step) => {
        const p = await startGatehouseProcess({
          mongodbUri: testDatabaseUri(),
          dbName,
          env: { ...env, GATEHOUSE_TEST_CRASH_AT: step },
          waitFor: 'ready',
          timeoutMs: 120_000,
        });
        const srv = { url: p.url } as TestServer;
        const token = await adminToken(srv, 'admin', PROCESS_ADMIN_ID, PROCESS_ADMIN_SECRET);
        await assert.rejects(gql(srv, CREATE, { input: input(slugOf(step)) }, token), 'the connection dies with the process');
        assert.equal((await p.exited).signal, 'SIGKILL', step);
      }),
    );

    // One of them as if its creator had gone silent long ago: the next start sweeps it.
    const swept = (await db.collection('tenants').findOne({ slug: slugOf('createTenant:client1') }))!;
    assert.equal(swept.state, 'PENDING');
    await db.collection('tenants').updateOne({ _id: swept._id }, { $set: { 'pending.until': new Date(Date.now() - 1000) } });

    survivor = await startGatehouseProcess({ mongodbUri: testDatabaseUri(), dbName, env, waitFor: 'ready' });
    assert.equal(await db.collection('tenants').findOne({ _id: swept._id }), null, 'swept at start');
    for (const coll of ['keysets', 'clients'])
      assert.equal(await db.collection(coll).countDocuments({ tenantId: swept._id }), 0, `its ${coll} swept too`);
    const srv = { url: survivor.url } as TestServer;
    const token = await adminToken(srv, 'admin', PROCESS_ADMIN_ID, PROCESS_ADMIN_SECRET);

    for (const step of STEPS) {
      const slug = slugOf(step);
      // Invisible while half-made: no tenant, no discovery, not listed.
      assert.equal((await gqlOk(srv, `{ tenant(slug: "${slug}") { slug } }`, {}, token)).tenant, null, step);
      assert.equal((await fetch(`${survivor.url}/t/${slug}/.well-known/openid-configuration`)).status, 404, step);
    }
    const listed = await gqlOk(srv, `{ tenants(first: 100) { edges { node { slug } } } }`, {}, token);
    assert.deepEqual(
      listed.tenants.edges.map((e: { node: { slug: string } }) => e.node.slug),
      ['system'],
    );

    for (const step of STEPS) {
      const slug = slugOf(step);
      const done = await gql(srv, CREATE, { input: input(slug) }, token);
      assert.equal(done.errors, undefined, `${step}: ${JSON.stringify(done.errors)}`);
      assert.deepEqual(
        done.data!.createTenant.clients.map((c: { client: { clientId: string } }) => c.client.clientId),
        [`${slug}-web`, `${slug}-svc`],
      );
      assert.equal((await fetch(`${survivor.url}/t/${slug}/.well-known/openid-configuration`)).status, 200, step);
      // The new secret works: the client is the one just made, not a leftover.
      const svc = done.data!.createTenant.clients[1];
      const tok = await fetch(`${survivor.url}/t/${slug}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${svc.client.clientId}:${svc.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }),
      });
      assert.equal(tok.status, 200, step);
      const tenant = (await store.tenants.findBySlug(slug))!;
      assert.equal((await store.forTenant(tenant._id).clients.list({ first: 10 })).items.length, 2, `${step}: exactly the two clients`);
      const trail = await store.auditEvents.list({ first: 20 }, { operation: 'createTenant', tenantSlug: slug });
      assert.deepEqual(trail.items.map((r) => r.outcome).sort(), ['PENDING', 'SUCCESS'], `${step}: the crashed attempt and the retry`);
      const discarded = await store.auditEvents.list({ first: 5 }, { operation: 'discardPendingTenant', targetId: slug });
      assert.equal(discarded.items.length, 1, `${step}: the removal of the half tenant is recorded`);
    }
    // Exactly one tenant record per slug, no orphans of the half-made ones.
    const all = await db.collection('tenants').find({}).toArray();
    assert.equal(all.length, 1 + STEPS.length);
    const ids = new Set(all.map((t) => t._id as unknown as string));
    for (const coll of ['keysets', 'clients']) {
      const owners = await db.collection(coll).distinct('tenantId');
      assert.deepEqual(
        owners.filter((o) => !ids.has(o as string)),
        [],
        `no ${coll} of a removed tenant`,
      );
    }
  });
});

describe('kill -9 between taking key pairs from the pool and the tenant going live', () => {
  const dbName = testDatabaseName('crashpool');
  const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'), GATEHOUSE_KEY_POOL_TENANTS: '1' };
  const db = openTestDb(testDatabaseUri(), dbName);
  const material = (publicJwk: string): string => {
    const { kid: _k, alg: _a, use: _u, ...jwk } = JSON.parse(publicJwk) as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(Object.entries(jwk).sort(([x], [y]) => x.localeCompare(y))));
  };
  const poolMaterials = async () =>
    new Set((await db.collection<{ publicJwk: string }>('key_pool').find({}).toArray()).map((d) => material(d.publicJwk)));
  let survivor: GatehouseProcess | undefined;
  after(async () => {
    survivor?.kill('SIGKILL');
    await db.close();
  });

  test('the claimed pairs are lost, never reused: the retry gets other keys', async () => {
    // One start makes the system tenant (bootstrap runs createTenant too: it must not crash there).
    const boot = await startGatehouseProcess({ mongodbUri: testDatabaseUri(), dbName, env, waitFor: 'ready' });
    boot.kill('SIGTERM');
    await boot.exited;
    const p = await startGatehouseProcess({
      mongodbUri: testDatabaseUri(),
      dbName,
      env: { ...env, GATEHOUSE_TEST_CRASH_AT: 'createTenant:keys' },
      waitFor: 'ready',
      timeoutMs: 120_000,
    });
    // Its refill job fills the pool (one tenant's worth) in the background.
    for (let i = 0; i < 600 && (await poolMaterials()).size < 8; i++) await new Promise((r) => setTimeout(r, 100));
    const pooled = await poolMaterials();
    assert.equal(pooled.size, 8);
    const srv = { url: p.url } as TestServer;
    const token = await adminToken(srv, 'admin', PROCESS_ADMIN_ID, PROCESS_ADMIN_SECRET);
    await assert.rejects(gql(srv, CREATE, { input: input('crash-pool') }, token), 'the connection dies with the process');
    assert.equal((await p.exited).signal, 'SIGKILL');
    // The half tenant holds keys made from the pooled pairs, which are out of the pool.
    const half = (await db.collection('tenants').findOne({ slug: 'crash-pool' }))!;
    assert.equal(half.state, 'PENDING');
    const lost = (await db.collection<{ keys: { publicJwk: string }[] }>('keysets').findOne({ tenantId: half._id }))!.keys.map((k) =>
      material(k.publicJwk),
    );
    assert.equal(lost.filter((m) => pooled.has(m)).length, 8);
    assert.equal([...(await poolMaterials())].filter((m) => lost.includes(m)).length, 0, 'none of them is in the pool any more');

    // A retry on another process (with a pool of its own making) completes the tenant with other keys.
    survivor = await startGatehouseProcess({ mongodbUri: testDatabaseUri(), dbName, env, waitFor: 'ready' });
    const retry = { url: survivor.url } as TestServer;
    const done = await gql(
      retry,
      CREATE,
      { input: input('crash-pool') },
      await adminToken(retry, 'admin', PROCESS_ADMIN_ID, PROCESS_ADMIN_SECRET),
    );
    assert.equal(done.errors, undefined, JSON.stringify(done.errors));
    const live = (await db.collection('tenants').findOne({ slug: 'crash-pool' }))!;
    assert.notEqual(live._id, half._id);
    const keys = (await db.collection<{ keys: { publicJwk: string }[] }>('keysets').findOne({ tenantId: live._id }))!.keys;
    assert.equal(keys.length, 8);
    assert.equal(keys.filter((k) => lost.includes(material(k.publicJwk))).length, 0, 'no lost pair was reused');
    assert.equal(await db.collection('keysets').countDocuments({ tenantId: half._id }), 0, 'the half tenant was cleaned up');
  });
});
