import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let platform: string;
let acmeAdmin: string;
const fixtures: Record<string, { userId: string; kid: string; iat: string }> = {};

before(async () => {
  srv = await startTestServer({ label: 'admauthz' });
  platform = await adminToken(srv);
  for (const slug of ['acme', 'other']) {
    await createTenant(srv, slug);
    await createClient(srv, slug, { clientId: 'web', name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'] });
    await createClient(srv, slug, { clientId: 'doomed', name: 'doomed', clientType: 'PUBLIC', redirectUris: ['https://x.example/cb'] });
    const userId = await createUser(srv, slug, 'user1', 'correct-horse-1');
    await createUser(srv, slug, 'user2', 'correct-horse-1');
    const keys = await gqlOk(srv, `{ tenant(slug: "${slug}") { signingKeys { kid status } } }`, {}, platform);
    const kid = keys.tenant.signingKeys.find((k: { status: string }) => k.status === 'NEXT').kid;
    await gqlOk(srv, `mutation { createInitialAccessToken(tenant: "${slug}") }`, {}, platform);
    const iats = await gqlOk(srv, `{ tenant(slug: "${slug}") { initialAccessTokens { edges { node { id } } } } }`, {}, platform);
    fixtures[slug] = { userId, kid, iat: iats.tenant.initialAccessTokens.edges[0].node.id };
  }
  // docs/administering.md: a tenant-scoped admin is an ordinary confidential client of `system`.
  const admin = await createClient(srv, 'system', {
    clientId: 'acme-admin',
    name: 'Acme admin',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['tenant-admin:acme'],
    redirectUris: [],
    responseTypes: [],
  });
  acmeAdmin = await adminToken(srv, 'tenant-admin:acme', admin.clientId, admin.clientSecret!);
});
after(() => srv.close());

/** Every operation that takes a tenant, as it would be called on `slug`. */
const operations: [string, (slug: string) => string][] = [
  ['tenant', (s) => `{ tenant(slug: "${s}") { slug } }`],
  ['client', (s) => `{ client(tenant: "${s}", clientId: "web") { clientId } }`],
  ['clients', (s) => `{ clients(tenant: "${s}") { edges { node { clientId } } } }`],
  ['user', (s) => `{ user(tenant: "${s}", id: "${fixtures[s]!.userId}") { id } }`],
  ['users', (s) => `{ users(tenant: "${s}") { edges { node { id } } } }`],
  ['consents', (s) => `{ consents(tenant: "${s}", clientId: "web") { edges { cursor } } }`],
  ['auditEvents', (s) => `{ auditEvents(tenant: "${s}") { edges { cursor } } }`],
  ['updateTenant', (s) => `mutation { updateTenant(slug: "${s}", input: {displayName: "Changed by acme admin"}) { slug } }`],
  [
    'createClient',
    (s) =>
      `mutation { createClient(tenant: "${s}", input: {clientId: "new", name: "new", clientType: PUBLIC, redirectUris: ["https://x.example/cb"]}) { client { clientId } } }`,
  ],
  ['updateClient', (s) => `mutation { updateClient(tenant: "${s}", clientId: "web", input: {name: "changed"}) { clientId } }`],
  ['rotateClientSecret', (s) => `mutation { rotateClientSecret(tenant: "${s}", clientId: "web") { clientSecret } }`],
  ['disableClient', (s) => `mutation { disableClient(tenant: "${s}", clientId: "web") { disabled } }`],
  ['enableClient', (s) => `mutation { enableClient(tenant: "${s}", clientId: "web") { disabled } }`],
  ['deleteClient', (s) => `mutation { deleteClient(tenant: "${s}", clientId: "doomed") }`],
  ['createUser', (s) => `mutation { createUser(tenant: "${s}", input: {username: "new", password: "correct-horse-2"}) { id } }`],
  ['updateUser', (s) => `mutation { updateUser(tenant: "${s}", id: "${fixtures[s]!.userId}", input: {claims: {name: "x"}}) { id } }`],
  [
    'setUserPassword',
    (s) => `mutation { setUserPassword(tenant: "${s}", id: "${fixtures[s]!.userId}", password: "another-password") { id } }`,
  ],
  ['disableUser', (s) => `mutation { disableUser(tenant: "${s}", id: "${fixtures[s]!.userId}") { id } }`],
  ['enableUser', (s) => `mutation { enableUser(tenant: "${s}", id: "${fixtures[s]!.userId}") { id } }`],
  ['setScope', (s) => `mutation { setScope(tenant: "${s}", input: {name: "api:read"}) { name } }`],
  ['deleteScope', (s) => `mutation { deleteScope(tenant: "${s}", name: "api:read") }`],
  ['rotateSigningKeys', (s) => `mutation { rotateSigningKeys(tenant: "${s}") { slug } }`],
  ['revokeSigningKey', (s) => `mutation { revokeSigningKey(tenant: "${s}", kid: "${fixtures[s]!.kid}") { slug } }`],
  ['revokeConsent', (s) => `mutation { revokeConsent(tenant: "${s}", userId: "${fixtures[s]!.userId}", clientId: "web") }`],
  ['revokeTokens', (s) => `mutation { revokeTokens(tenant: "${s}", clientId: "web") { grants } }`],
  ['createInitialAccessToken', (s) => `mutation { createInitialAccessToken(tenant: "${s}") }`],
  ['revokeInitialAccessToken', (s) => `mutation { revokeInitialAccessToken(tenant: "${s}", id: "${fixtures[s]!.iat}") { id } }`],
  ['deleteUser', (s) => `mutation { deleteUser(tenant: "${s}", id: "${fixtures[s]!.userId}") }`],
];

async function snapshot(slug: string): Promise<string> {
  const d = await gqlOk(
    srv,
    `{ tenant(slug: "${slug}") { displayName scopes { name } signingKeys { kid status } clients { edges { node { clientId name secretRotatedAt disabled } } }
       users { edges { node { id disabled claims } } } initialAccessTokens { edges { node { id active } } } } }`,
    {},
    platform,
  );
  return JSON.stringify(d);
}

test('a tenant-scoped admin is refused (FORBIDDEN) on another tenant for every operation, and nothing changes', async () => {
  const before = await snapshot('other');
  for (const [name, op] of operations) {
    const r = await gql(srv, op('other'), {}, acmeAdmin);
    assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN', `${name}: ${JSON.stringify(r.errors)}`);
  }
  assert.equal(await snapshot('other'), before);
});

test('the same admin may do every operation on its own tenant', async () => {
  for (const [name, op] of operations) {
    const r = await gql(srv, op('acme'), {}, acmeAdmin);
    assert.equal(r.errors, undefined, `${name}: ${JSON.stringify(r.errors)}`);
  }
  const d = await gqlOk(srv, '{ tenant(slug: "acme") { displayName } }', {}, acmeAdmin);
  assert.equal(d.tenant.displayName, 'Changed by acme admin');
});

test('platform-only operations and the system tenant are refused to a tenant-scoped admin', async () => {
  const refused = [
    'mutation { createTenant(input: {slug: "mine", displayName: "x"}) { tenant { slug } } }',
    'mutation { deleteTenant(slug: "acme") }',
    'mutation { deleteTenant(slug: "other") }',
    '{ tenant(slug: "system") { slug } }',
    'mutation { createClient(tenant: "system", input: {name: "escalate", clientType: CONFIDENTIAL, redirectUris: [], grantTypes: ["client_credentials"], responseTypes: [], scopes: ["admin"]}) { clientSecret } }',
  ];
  for (const q of refused) {
    const r = await gql(srv, q, {}, acmeAdmin);
    assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN', q);
  }
  assert.equal((await gqlOk(srv, '{ tenant(slug: "mine") { slug } }', {}, platform)).tenant, null);
});

test('lists show a tenant-scoped admin only its own tenant', async () => {
  const d = await gqlOk(
    srv,
    '{ viewer { platformAdmin tenantSlugs } tenants { edges { node { slug } } } auditEvents(first: 100) { edges { node { tenant } } } }',
    {},
    acmeAdmin,
  );
  assert.deepEqual(d.viewer, { platformAdmin: false, tenantSlugs: ['acme'] });
  assert.deepEqual(
    d.tenants.edges.map((e: any) => e.node.slug),
    ['acme'],
  );
  assert.ok(d.auditEvents.edges.length > 0);
  assert.deepEqual([...new Set(d.auditEvents.edges.map((e: any) => e.node.tenant))], ['acme']);
});

test('tokens that are not admin tokens are refused', async () => {
  const c = await createClient(srv, 'system', {
    clientId: 'plain',
    name: 'plain',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['something'],
    redirectUris: [],
    responseTypes: [],
  });
  const plain = await adminToken(srv, 'something', c.clientId, c.clientSecret!);
  const r = await gql(srv, '{ tenants { edges { cursor } } }', {}, plain);
  assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  // A token of another tenant's issuer is not an admin token, whatever its scope.
  const t = await createClient(srv, 'acme', {
    clientId: 'fake-admin',
    name: 'fake',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['admin'],
    redirectUris: [],
    responseTypes: [],
  });
  const res = await fetch(`${srv.url}/t/acme/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${t.clientId}:${t.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }),
  });
  const foreign = ((await res.json()) as { access_token: string }).access_token;
  const f = await gql(srv, '{ tenants { edges { cursor } } }', {}, foreign);
  assert.equal(f.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  const garbage = await gql(srv, '{ tenants { edges { cursor } } }', {}, 'not-a-token');
  assert.equal(garbage.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
});
