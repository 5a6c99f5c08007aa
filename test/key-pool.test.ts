import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { KEY_POOL_LEASE, KeyPoolJob } from '../src/keys/key-pool-job.js';
import { keyPoolTargets, poolContext } from '../src/keys/key-pool.js';
import { keyContext } from '../src/keys/key-generation.js';
import type { EncryptedBlob } from '../src/keys/key-record.js';
import { adminToken, clientCredentials, createClient, createTenant, gqlOk } from './helpers/admin.js';
import { TestClock } from './helpers/clock.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The key pool (keys/key-pool.ts, docs/keys.md "Key pool"): two replicas on one database
 * with a pool of one tenant's worth (4 RSA, 2 EC, 2 OKP pairs); the tests drive the refill
 * job by hand (runOnce) instead of waiting for its timer, and move the clock for the age bound.
 */
let a: TestServer;
let b: TestServer;
let token: string;
const clock = new TestClock();
const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 11).toString('base64'), GATEHOUSE_KEY_POOL_TENANTS: '1' };
const TARGET = 8;

interface PoolDoc {
  _id: string;
  family: string;
  publicJwk: string;
  privateKey: EncryptedBlob;
}
interface KeyDoc {
  kid: string;
  alg: string;
  status: string;
  publicJwk: string;
  privateKey: EncryptedBlob;
}

before(async () => {
  a = await startTestServer({ label: 'keypool', env, clock, without: ['keyPool'] });
  b = await startTestServer({ label: 'keypool', env, clock, dbName: a.dbName, without: ['keyPool'] });
  token = await adminToken(a);
});
after(async () => {
  await b?.close();
  await a?.close();
});

const pool = () => a.db.collection<PoolDoc>('key_pool');
const poolDocs = () => pool().find({}).toArray();
/** The public key without kid, alg and use: what a pooled pair and the tenant key made from it share. */
const material = (publicJwk: string): string => {
  const { kid: _k, alg: _a, use: _u, ...jwk } = JSON.parse(publicJwk) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.entries(jwk).sort(([x], [y]) => x.localeCompare(y))));
};
const tenantKeys = async (slug: string): Promise<{ id: string; keys: KeyDoc[] }> => {
  const t = await a.db.collection<{ _id: string; slug: string }>('tenants').findOne({ slug });
  assert.ok(t, `tenant ${slug}`);
  const ks = await a.db.collection<{ _id: string; keys: KeyDoc[] }>('keysets').findOne({ _id: t._id });
  assert.ok(ks, `keyset of ${slug}`);
  return { id: t._id, keys: ks.keys };
};
const job = (srv: TestServer, holder: string) => new KeyPoolJob(srv.rt, { holder, pace: false });

test('the refill job fills every family up to its target, through the lease: one replica at a time', async () => {
  assert.deepEqual(Object.fromEntries(keyPoolTargets(1)), { RSA: 4, EC: 2, OKP: 2 });
  const ja = job(a, 'replica-a');
  const jb = job(b, 'replica-b');
  // Another replica holds the lease: nothing is generated.
  assert.equal(await a.store.leases.acquire(KEY_POOL_LEASE, 'replica-z', 60_000), true);
  assert.deepEqual(await ja.runOnce(), { lease: 'busy', generated: 0, discarded: 0 });
  assert.equal(await pool().countDocuments(), 0);
  await a.store.leases.release(KEY_POOL_LEASE, 'replica-z');

  const runs = await Promise.all([ja.runOnce(), jb.runOnce()]);
  assert.equal(runs.filter((r) => r.lease === 'held').length, 1, 'exactly one replica refilled');
  assert.equal(
    runs.reduce((n, r) => n + r.generated, 0),
    TARGET,
  );
  const docs = await poolDocs();
  assert.equal(docs.length, TARGET, 'filled to the target, not beyond');
  assert.deepEqual(docs.map((d) => d.family).sort(), ['EC', 'EC', 'OKP', 'OKP', 'RSA', 'RSA', 'RSA', 'RSA']);
  // Encrypted at rest like every private key, bound to its pool document.
  for (const d of docs) {
    assert.deepEqual(Object.keys(d.privateKey).sort(), ['ct', 'iv', 'mk', 'tag']);
    assert.equal(d.privateKey.mk, a.rt.envelope.currentKeyId);
    assert.ok(!('kid' in JSON.parse(d.publicJwk)), 'no kid before a claim');
    createPrivateKey({ key: a.rt.envelope.open(d.privateKey, poolContext(d._id)), format: 'der', type: 'pkcs8' });
    assert.throws(() => a.rt.envelope.open(d.privateKey, poolContext('another-pair')));
  }
  assert.deepEqual(await ja.runOnce(), { lease: 'full', generated: 0, discarded: 0 }, 'full: no lease taken');
  assert.equal(await a.store.leases.get(KEY_POOL_LEASE), null, 'the lease is given back after a refill');
});

test('a tenant created while the pool has pairs takes them: gone from the pool, re-sealed for the tenant under new kids', async () => {
  const pooled = new Map((await poolDocs()).map((d) => [material(d.publicJwk), d]));
  assert.equal(pooled.size, TARGET);
  await createTenant(a, 'pooled', 'Pooled');
  const { id, keys } = await tenantKeys('pooled');
  assert.equal(keys.length, TARGET);
  for (const k of keys) {
    const from = pooled.get(material(k.publicJwk));
    assert.ok(from, `${k.alg} ${k.status} comes from the pool`);
    assert.notEqual(k.kid, from._id);
    // Sealed for this tenant and kid; the pool's sealing no longer applies.
    const der = a.rt.envelope.open(k.privateKey, keyContext(id, k.kid));
    assert.ok(!Buffer.from(k.privateKey.ct, 'base64').equals(der), 'stored encrypted');
    assert.throws(() => a.rt.envelope.open(k.privateKey, poolContext(from._id)));
    const pub = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
    assert.equal(material(JSON.stringify(pub)), material(k.publicJwk), 'the private key matches its public key');
  }
  assert.equal(new Set(keys.map((k) => k.kid)).size, TARGET);
  assert.equal(await pool().countDocuments(), 0, 'every claimed pair left the pool');
  // And the keys work: a token signed with the tenant's ACTIVE RS256 key verifies against its JWKS.
  const cc = await createClient(a, 'pooled', { name: 'svc', clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], scopes: [] });
  const res = await clientCredentials(a, 'pooled', cc.clientId, cc.clientSecret!);
  assert.equal(res.status, 200);
  const { access_token } = (await res.json()) as { access_token: string };
  const { protectedHeader } = await jwtVerify(access_token, createRemoteJWKSet(new URL(`${a.issuer('pooled')}/jwks`)));
  assert.equal(protectedHeader.kid, keys.find((k) => k.alg === 'RS256' && k.status === 'ACTIVE')!.kid);
});

test('two tenants created at once on two replicas never share a pair', async () => {
  await job(a, 'replica-a').runOnce();
  const pooled = new Set((await poolDocs()).map((d) => material(d.publicJwk)));
  assert.equal(pooled.size, TARGET);
  await Promise.all([createTenant(a, 'race-a', 'Race A'), createTenant(b, 'race-b', 'Race B')]);
  const all = [...(await tenantKeys('race-a')).keys, ...(await tenantKeys('race-b')).keys];
  assert.equal(all.length, 2 * TARGET);
  assert.equal(new Set(all.map((k) => material(k.publicJwk))).size, 2 * TARGET, 'sixteen distinct key pairs');
  assert.equal(all.filter((k) => pooled.has(material(k.publicJwk))).length, TARGET, 'each pooled pair went to one key');
  assert.equal(await pool().countDocuments(), 0);
});

test('an empty pool falls back to generating the keys', async () => {
  assert.equal(await pool().countDocuments(), 0);
  await createTenant(a, 'generated', 'Generated');
  const { keys } = await tenantKeys('generated');
  assert.deepEqual(keys.map((k) => `${k.alg} ${k.status}`).sort(), [
    'ES256 ACTIVE',
    'ES256 NEXT',
    'EdDSA ACTIVE',
    'EdDSA NEXT',
    'PS256 ACTIVE',
    'PS256 NEXT',
    'RS256 ACTIVE',
    'RS256 NEXT',
  ]);
});

test('the running job refills after a claim, without being called', async () => {
  const running = new KeyPoolJob(a.rt, { holder: 'replica-timer' });
  running.start();
  try {
    for (let i = 0; i < 300 && (await pool().countDocuments()) < TARGET; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await pool().countDocuments(), TARGET, 'filled at start');
    await createTenant(a, 'after-start', 'After start');
    for (let i = 0; i < 300 && (await pool().countDocuments()) < TARGET; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await pool().countDocuments(), TARGET, 'refilled after the claim');
  } finally {
    await running.stop();
  }
  assert.equal(await a.store.leases.get(KEY_POOL_LEASE), null);
});

test('deleting a tenant returns nothing to the pool', async () => {
  const before = new Set((await poolDocs()).map((d) => d._id));
  assert.equal(await gqlOk(a, `mutation { deleteTenant(slug: "after-start") }`, {}, token).then((d) => d.deleteTenant), true);
  assert.deepEqual(new Set((await poolDocs()).map((d) => d._id)), before);
});

test('with the pool off (GATEHOUSE_KEY_POOL_TENANTS=0) nothing is claimed, and the job removes what is left', async () => {
  const off = await startTestServer({
    label: 'keypool',
    env: { ...env, GATEHOUSE_KEY_POOL_TENANTS: '0' },
    clock,
    dbName: a.dbName,
    without: ['keyPool'],
  });
  try {
    assert.equal(await pool().countDocuments(), TARGET);
    await createTenant(off, 'pool-off', 'Pool off');
    assert.equal(await pool().countDocuments(), TARGET, 'nothing claimed');
    assert.deepEqual(await job(off, 'replica-off').runOnce(), { lease: 'full', generated: 0, discarded: TARGET });
    assert.equal(await pool().countDocuments(), 0);
  } finally {
    await off.close();
  }
});

test('a pair older than the age bound (24 h) is never handed out and is discarded by the next refill', async () => {
  await job(a, 'replica-a').runOnce();
  const stale = new Set((await poolDocs()).map((d) => material(d.publicJwk)));
  assert.equal(stale.size, TARGET);
  clock.advance(24 * 3600 * 1000 + 1000);
  await createTenant(a, 'after-a-day', 'After a day');
  const { keys } = await tenantKeys('after-a-day');
  assert.equal(keys.filter((k) => stale.has(material(k.publicJwk))).length, 0, 'no stale pair used');
  assert.deepEqual(await job(a, 'replica-a').runOnce(), { lease: 'held', generated: TARGET, discarded: TARGET });
  assert.equal((await poolDocs()).filter((d) => stale.has(material(d.publicJwk))).length, 0);
});
