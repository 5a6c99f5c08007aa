import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, clientCredentials, createClient, createTenant, gql } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let acmeAdmin: string;
let platform: string;

before(async () => {
  srv = await startTestServer({ label: 'adminauth' });
  await createTenant(srv, 'acme', 'Acme');
  await createTenant(srv, 'globex', 'Globex');
  const c = await createClient(srv, 'system', {
    name: 'acme admin',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['tenant-admin:acme'],
    redirectUris: [],
  });
  acmeAdmin = await adminToken(srv, 'tenant-admin:acme', c.clientId, c.clientSecret!);
  platform = await adminToken(srv);
});
after(() => srv.close());

const TENANT = `query($slug: String!) { tenant(slug: $slug) { slug displayName } }`;

describe('admin authentication', () => {
  test('no token → UNAUTHENTICATED (401) and nothing else', async () => {
    const r = await gql(srv, TENANT, { slug: 'acme' });
    assert.equal(r.status, 401);
    assert.equal(r.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(r.data, undefined);
  });

  test('garbage, wrong-scheme and foreign-tenant tokens → UNAUTHENTICATED', async () => {
    assert.equal((await gql(srv, TENANT, { slug: 'acme' }, 'not-a-jwt')).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    // A perfectly valid access token, but of the acme tenant: not an admin token.
    const svc = await createClient(srv, 'acme', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['admin'],
    });
    const res = await clientCredentials(srv, 'acme', svc.clientId, svc.clientSecret!, { scope: 'admin' });
    const { access_token } = (await res.json()) as { access_token: string };
    assert.equal((await gql(srv, TENANT, { slug: 'acme' }, access_token)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    // A tampered admin token.
    const [h, p, s] = platform.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), scope: 'admin tenant-admin:x' })).toString('base64url')}.${s}`;
    assert.equal((await gql(srv, TENANT, { slug: 'acme' }, forged)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  test('a system token without an admin scope → FORBIDDEN', async () => {
    const c = await createClient(srv, 'system', {
      name: 'no admin',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['reports'],
    });
    const token = await adminToken(srv, 'reports', c.clientId, c.clientSecret!);
    assert.equal((await gql(srv, TENANT, { slug: 'acme' }, token)).errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  test('introspection is closed to anonymous callers and open to admins', async () => {
    const q = '{ __schema { queryType { name } } }';
    assert.equal((await gql(srv, q)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const ok = await gql(srv, q, {}, platform);
    assert.equal(ok.data?.__schema.queryType.name, 'Query');
  });
});

describe('tenant-scoped admins', () => {
  test('an admin of tenant A reads A but cannot read tenant B', async () => {
    const own = await gql(srv, TENANT, { slug: 'acme' }, acmeAdmin);
    assert.equal(own.data?.tenant.slug, 'acme');
    const other = await gql(srv, TENANT, { slug: 'globex' }, acmeAdmin);
    assert.equal(other.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(other.data?.tenant ?? null, null);
  });

  test('tenants lists only its own tenant', async () => {
    const r = await gql(srv, '{ tenants { edges { node { slug } } } }', {}, acmeAdmin);
    assert.deepEqual(
      r.data?.tenants.edges.map((e: { node: { slug: string } }) => e.node.slug),
      ['acme'],
    );
  });

  test('cannot change another tenant, create or delete tenants', async () => {
    const ops: [string, Record<string, unknown>][] = [
      ['mutation { updateTenant(slug: "globex", input: { displayName: "x" }) { slug } }', {}],
      ['mutation { rotateSigningKeys(tenant: "globex") { slug } }', {}],
      [
        'mutation { createClient(tenant: "globex", input: { name: "x", clientType: PUBLIC, redirectUris: ["https://x.example/cb"] }) { clientSecret } }',
        {},
      ],
      ['mutation { createUser(tenant: "globex", input: { username: "u", password: "password-1" }) { id } }', {}],
      ['mutation { createTenant(input: { slug: "newco", displayName: "N" }) { tenant { slug } } }', {}],
      ['mutation { deleteTenant(slug: "acme") }', {}],
      [
        'mutation { createClient(tenant: "system", input: { name: "escalate", clientType: CONFIDENTIAL, redirectUris: [], grantTypes: ["client_credentials"], scopes: ["admin"] }) { clientSecret } }',
        {},
      ],
    ];
    for (const [q, v] of ops) {
      const r = await gql(srv, q, v, acmeAdmin);
      assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN', q);
    }
    assert.equal((await gql(srv, TENANT, { slug: 'globex' }, platform)).data?.tenant.displayName, 'Globex');
    assert.equal((await gql(srv, TENANT, { slug: 'newco' }, platform)).data?.tenant, null);
  });

  test('can change its own tenant', async () => {
    const r = await gql(srv, 'mutation { updateTenant(slug: "acme", input: { displayName: "Acme Inc" }) { displayName } }', {}, acmeAdmin);
    assert.equal(r.data?.updateTenant.displayName, 'Acme Inc');
  });
});
