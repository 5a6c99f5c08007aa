/**
 * A tenant loaded on a miss starts loading its key ring at once, beside its record
 * (tenancy/tenant-registry.ts `onLoad`, keys/key-rings.ts `prefetch`, docs/performance.md
 * "Tenant loading"): JWKS and the first token then find it ready, and the ring is never
 * older than the context it is cached for.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';

const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };

interface Keyset {
  keys: { kid: string; status: string; alg: string }[];
}

describe('tenant loading', () => {
  let srv: TestServer;
  let tenantId: string;

  before(async () => {
    srv = await startTestServer({ dbName: testDatabaseName('tenantload'), env });
    await createTenant(srv, 'tenantload');
    tenantId = (await srv.db.collection<{ _id: string; slug: string }>('tenants').findOne({ slug: 'tenantload' }))!._id;
  });
  after(() => srv?.close());

  /** The tenant as a fresh process would load it: out of the cache, then asked for. */
  async function loadCold() {
    srv.rt.tenants.drop('tenantload');
    const ctx = (await srv.rt.tenants.get('tenantload'))!;
    for (let i = 0; i < 80 && !srv.rt.keyRings.peek(ctx); i++) await sleep(25);
    return ctx;
  }

  test('a tenant loaded on a miss has its key ring without a JWKS request', async () => {
    const ctx = await loadCold();
    const ring = srv.rt.keyRings.peek(ctx);
    assert.ok(ring, 'the ring was loaded with the tenant');
    const res = await fetch(`${srv.issuer('tenantload')}/jwks`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), ring.jwksBody);
  });

  test('after a key rotation the ring loaded with the tenant has the new keys', async () => {
    await gqlOk(srv, 'mutation { rotateSigningKeys(tenant: "tenantload") { slug } }');
    const ctx = await loadCold();
    const stored = await srv.db.collection<Keyset & { _id: string }>('keysets').findOne({ _id: tenantId });
    const activeRs256 = stored!.keys.find((k) => k.status === 'ACTIVE' && k.alg === 'RS256')!.kid;
    assert.equal(srv.rt.keyRings.peek(ctx)!.signingKey('RS256').kid, activeRs256);
    const jwks = (await (await fetch(`${srv.issuer('tenantload')}/jwks`)).json()) as { keys: { kid: string }[] };
    assert.ok(jwks.keys.some((k) => k.kid === activeRs256));
  });

  test('a tenant unchanged for longer than the clock skew builds its ring from the keyset read beside its record', async () => {
    srv.clock.advance(10_000);
    const ctx = await loadCold();
    const ring = srv.rt.keyRings.peek(ctx);
    assert.ok(ring, 'the ring was loaded with the tenant');
    const res = await fetch(`${srv.issuer('tenantload')}/jwks`);
    assert.equal(await res.text(), ring.jwksBody);
  });

  /**
   * A keyset read answered before another replica's key change, and the record read after
   * that change's revision bump: the two reads went out together, so which one the database
   * answered first cannot be arranged; the read is stood in for by the stored document as it
   * was before the change.
   */
  async function ringAfterChange(readSentAt: (changedAt: number) => number): Promise<{ ring: string; stored: string; old: string }> {
    const activeKid = (k: Keyset) => k.keys.find((x) => x.status === 'ACTIVE' && x.alg === 'RS256')!.kid;
    const before = (await srv.db.collection<Keyset & { _id: string }>('keysets').findOne({ _id: tenantId }))!;
    const earlyRead = { keysets: { get: () => Promise.resolve(before) } } as unknown as Parameters<typeof srv.rt.keyRings.prefetch>[0];
    await gqlOk(srv, 'mutation { rotateSigningKeys(tenant: "tenantload") { slug } }');
    const record = (await srv.store.tenants.findById(tenantId))!;
    const then = srv.rt.keyRings.prefetch(earlyRead, readSentAt(new Date(record.updatedAt).getTime()));
    srv.rt.tenants.drop('tenantload');
    const ctx = srv.rt.tenants.install(record);
    then(ctx);
    const ring = await srv.rt.keyRings.get(ctx);
    const stored = (await srv.db.collection<Keyset & { _id: string }>('keysets').findOne({ _id: tenantId }))!;
    return { ring: ring.signingKey('RS256').kid, stored: activeKid(stored), old: activeKid(before) };
  }

  test('a keyset read beside a record changed within the clock skew is read again after it', async () => {
    // The record read shows a change made just before the keyset read was sent: the keyset read may predate the change.
    const { ring, stored, old } = await ringAfterChange((changedAt) => changedAt + 1_000);
    assert.notEqual(stored, old);
    assert.equal(ring, stored);
  });

  test('a keyset read sent well after the record last changed is used as read', async () => {
    const { ring, old } = await ringAfterChange((changedAt) => changedAt + 10_000);
    assert.equal(ring, old);
    srv.rt.tenants.drop('tenantload');
  });

  test('a slug nobody has loads nothing', async () => {
    assert.equal(await srv.rt.tenants.get('tenantload-none'), null);
    const res = await fetch(`${srv.issuer('tenantload-none')}/jwks`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });
});
