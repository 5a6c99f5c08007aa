import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, createTenant, gql } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
before(async () => {
  srv = await startTestServer({ label: 'robust' });
  token = await adminToken(srv);
  await createTenant(srv, 'acme');
});
after(() => srv.close());

async function tenantCount(): Promise<number> {
  return srv.store.tenants.count();
}

async function stillHealthy(): Promise<void> {
  assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${srv.url}/readyz`)).status, 200);
}

const CREATE = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }`;

describe('bad input to createTenant', () => {
  for (const slug of ['', 'A', 'Upper', '-lead', 'trail-', 'a_b', 'a.b', 'x'.repeat(64), 'sp ace', 'ünï']) {
    test(`slug ${JSON.stringify(slug.slice(0, 20))} → BAD_USER_INPUT on field slug, nothing written`, async () => {
      const n = await tenantCount();
      const r = await gql(srv, CREATE, { input: { slug, displayName: 'X' } }, token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.equal(r.errors?.[0]?.extensions?.field, 'slug');
      assert.equal(await tenantCount(), n);
    });
  }

  test('the reserved slug system → BAD_USER_INPUT', async () => {
    const r = await gql(srv, CREATE, { input: { slug: 'system', displayName: 'X' } }, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  test('a duplicate slug → CONFLICT and nothing written', async () => {
    const n = await tenantCount();
    const keysets = await srv.db.collection('keysets').countDocuments();
    const r = await gql(srv, CREATE, { input: { slug: 'acme', displayName: 'Again' } }, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(await tenantCount(), n);
    assert.equal(await srv.db.collection('keysets').countDocuments(), keysets, 'no orphan keyset');
  });

  test('concurrent creation of one slug: exactly one wins, no orphans', async () => {
    const results = await Promise.all([1, 2, 3].map(() => gql(srv, CREATE, { input: { slug: 'race', displayName: 'Race' } }, token)));
    assert.equal(results.filter((r) => r.data?.createTenant).length, 1);
    assert.ok(results.filter((r) => r.errors).every((r) => r.errors![0]!.extensions?.code === 'CONFLICT'));
    const tenants = await srv.store.tenants.count();
    const keysets = await srv.db.collection('keysets').countDocuments();
    assert.equal(keysets, tenants);
  });

  test('bad display name, alg and lifetimes → BAD_USER_INPUT with the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ slug: 'b1', displayName: '   ' }, 'displayName'],
      [{ slug: 'b2', displayName: 'B', signingAlg: 'none' }, 'signingAlg'],
      [{ slug: 'b3', displayName: 'B', settings: { accessTokenTtl: -5 } }, 'accessTokenTtl'],
      [{ slug: 'b4', displayName: 'B', branding: { primaryColor: 'red' } }, 'branding.primaryColor'],
    ];
    for (const [input, field] of cases) {
      const r = await gql(srv, CREATE, { input }, token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    }
  });

  test('deleting the system tenant is refused', async () => {
    const r = await gql(srv, 'mutation { deleteTenant(slug: "system") }', {}, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.ok(await srv.store.tenants.findBySlug('system'));
  });
});

describe('malformed and oversized requests', () => {
  test('malformed JSON to /graphql → 400, not 500', async () => {
    const res = await fetch(`${srv.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"query": ',
    });
    assert.equal(res.status, 400);
    await stillHealthy();
  });

  test('oversized JSON to /graphql → 413', async () => {
    const big = JSON.stringify({ query: `{ tenants { edges { node { slug } } } }`, variables: { pad: 'x'.repeat(200_000) } });
    const res = await fetch(`${srv.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: big,
    });
    assert.equal(res.status, 413);
    await stillHealthy();
  });

  test('oversized form to the token endpoint → 413 invalid_request JSON', async () => {
    const res = await fetch(`${srv.url}/t/acme/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&pad=${'x'.repeat(200_000)}`,
    });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    await stillHealthy();
  });

  test('repeated parameters and odd encodings at the token endpoint → invalid_request', async () => {
    const res = await fetch(`${srv.url}/t/acme/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&grant_type=password',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    const bad = await fetch(`${srv.url}/t/acme/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' },
      body: 'grant_type=client_credentials',
    });
    assert.ok(bad.status >= 400 && bad.status < 500);
    await stillHealthy();
  });

  test('malformed Basic credentials → invalid_client, not a crash', async () => {
    for (const auth of [
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
    ]) {
      const res = await fetch(`${srv.url}/t/acme/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: 'grant_type=client_credentials',
      });
      assert.equal(res.status, 401, auth);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    }
    await stillHealthy();
  });

  test('GraphQL syntax errors and unknown fields are reported, not 500', async () => {
    const r = await gql(srv, '{ tenants { nope } }', {}, token);
    assert.equal(r.status, 400);
    assert.equal(r.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const s = await gql(srv, '{ tenants { ', {}, token);
    assert.equal(s.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
  });

  test('a bad cursor is BAD_USER_INPUT', async () => {
    const r = await gql(srv, '{ tenants(after: "garbage") { edges { cursor } } }', {}, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  test('unknown paths are JSON 404s', async () => {
    const res = await fetch(`${srv.url}/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'not_found');
  });
});
