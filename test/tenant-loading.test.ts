/**
 * A tenant loaded on a miss starts loading its key ring at once (tenancy/tenant-registry.ts
 * `onLoad`, docs/performance.md "Tenant loading"): JWKS and the first token then find it
 * ready, and the ring is never older than the context it is cached for.
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

  test('a slug nobody has loads nothing', async () => {
    assert.equal(await srv.rt.tenants.get('tenantload-none'), null);
    const res = await fetch(`${srv.issuer('tenantload-none')}/jwks`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });
});
