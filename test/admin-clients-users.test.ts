import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { adminToken, clientCredentials, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
before(async () => {
  srv = await startTestServer({ label: 'admclients' });
  token = await adminToken(srv);
  await createTenant(srv, 'shop');
});
after(() => srv.close());

const ok = <T = Record<string, any>>(q: string, v: Record<string, unknown> = {}) => gqlOk<T>(srv, q, v, token);
const call = (q: string, v: Record<string, unknown> = {}) => gql(srv, q, v, token);
const field = (r: Awaited<ReturnType<typeof call>>) => r.errors?.[0]?.extensions?.field;
const code = (r: Awaited<ReturnType<typeof call>>) => r.errors?.[0]?.extensions?.code;

const CLIENT_FIELDS = `clientId name clientType redirectUris postLogoutRedirectUris grantTypes responseTypes scopes tokenEndpointAuthMethod
  idTokenSignedResponseAlg requireConsent reuseConsent accessTokenFormat clientUri logoUri tosUri policyUri contacts secretRotatedAt createdAt updatedAt tenant { slug }`;

test('createClient with all metadata (RFC 7591 included); defaults per docs/administering.md; secret shown once', async () => {
  const d = await ok(
    `mutation($input: CreateClientInput!) { createClient(tenant: "shop", input: $input) { client { ${CLIENT_FIELDS} } clientSecret } }`,
    {
      input: {
        clientId: 'shop-web',
        name: 'Shop web',
        clientType: 'CONFIDENTIAL',
        redirectUris: ['https://shop.example/cb'],
        postLogoutRedirectUris: ['https://shop.example/'],
        scopes: ['openid', 'profile', 'api:read'],
        tokenEndpointAuthMethod: 'client_secret_post',
        idTokenSignedResponseAlg: 'ES256',
        requireConsent: false,
        accessTokenFormat: 'OPAQUE',
        clientUri: 'https://shop.example/',
        logoUri: 'https://shop.example/logo.png',
        tosUri: 'https://shop.example/tos',
        policyUri: 'https://shop.example/privacy',
        contacts: ['ops@shop.example'],
      },
    },
  );
  const c = d.createClient.client;
  assert.equal(c.clientId, 'shop-web');
  assert.deepEqual(c.grantTypes, ['authorization_code', 'refresh_token']);
  assert.deepEqual(c.responseTypes, ['code']);
  assert.equal(c.tokenEndpointAuthMethod, 'client_secret_post');
  assert.equal(c.idTokenSignedResponseAlg, 'ES256');
  assert.equal(c.requireConsent, false);
  assert.equal(c.reuseConsent, true);
  assert.equal(c.accessTokenFormat, 'OPAQUE');
  assert.equal(c.clientUri, 'https://shop.example/');
  assert.equal(c.tosUri, 'https://shop.example/tos');
  assert.equal(c.policyUri, 'https://shop.example/privacy');
  assert.equal(c.logoUri, 'https://shop.example/logo.png');
  assert.deepEqual(c.contacts, ['ops@shop.example']);
  assert.equal(c.tenant.slug, 'shop');
  assert.ok(c.secretRotatedAt);
  assert.ok(d.createClient.clientSecret);

  const pub = await ok(
    'mutation { createClient(tenant: "shop", input: {name: "SPA", clientType: PUBLIC, redirectUris: ["https://shop.example/spa"]}) { client { clientId tokenEndpointAuthMethod grantTypes } clientSecret } }',
  );
  assert.equal(pub.createClient.client.tokenEndpointAuthMethod, 'none');
  assert.equal(pub.createClient.clientSecret, null);
});

test('createClient bad input names the field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ name: '', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'] }, 'name'],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb#frag'] }, 'redirectUris'],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: [] }, 'redirectUris'],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'], grantTypes: ['magic'] }, 'grantTypes'],
    [
      { name: 'x', clientType: 'PUBLIC', redirectUris: ['https://x.example/cb'], tokenEndpointAuthMethod: 'client_secret_basic' },
      'tokenEndpointAuthMethod',
    ],
    [
      { name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'], idTokenSignedResponseAlg: 'none' },
      'idTokenSignedResponseAlg',
    ],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'], scopes: ['bad"scope'] }, 'scopes'],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'], tosUri: 'ftp://x.example/tos' }, 'tosUri'],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'], contacts: [''] }, 'contacts'],
    [{ name: 'x', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'], clientId: 'a b' }, 'clientId'],
  ];
  for (const [input, f] of cases) {
    const r = await call('mutation($input: CreateClientInput!) { createClient(tenant: "shop", input: $input) { client { clientId } } }', {
      input,
    });
    assert.equal(code(r), 'BAD_USER_INPUT', JSON.stringify(input));
    assert.equal(field(r), f, JSON.stringify(r.errors));
  }
  const dup = await call(
    'mutation { createClient(tenant: "shop", input: {clientId: "shop-web", name: "x", clientType: PUBLIC, redirectUris: ["https://x.example/cb"]}) { client { clientId } } }',
  );
  assert.equal(code(dup), 'CONFLICT');
  const noTenant = await call(
    'mutation { createClient(tenant: "nope", input: {name: "x", clientType: PUBLIC, redirectUris: ["https://x.example/cb"]}) { client { clientId } } }',
  );
  assert.equal(code(noTenant), 'NOT_FOUND');
});

test('updateClient changes fields, keeps the rest, clears RFC 7591 fields with null; secrets are not readable', async () => {
  const d = await ok(
    `mutation { updateClient(tenant: "shop", clientId: "shop-web", input: {name: "Shop web 2", redirectUris: ["https://shop.example/cb2"], tosUri: null, contacts: ["a@shop.example", "b@shop.example"]}) { ${CLIENT_FIELDS} } }`,
  );
  const c = d.updateClient;
  assert.equal(c.name, 'Shop web 2');
  assert.deepEqual(c.redirectUris, ['https://shop.example/cb2']);
  assert.equal(c.tosUri, null);
  assert.equal(c.policyUri, 'https://shop.example/privacy');
  assert.deepEqual(c.contacts, ['a@shop.example', 'b@shop.example']);
  assert.equal(c.tokenEndpointAuthMethod, 'client_secret_post');
  const bad = await call(
    'mutation { updateClient(tenant: "shop", clientId: "shop-web", input: {postLogoutRedirectUris: ["nope"]}) { clientId } }',
  );
  assert.equal(field(bad), 'postLogoutRedirectUris');
  const missing = await call('mutation { updateClient(tenant: "shop", clientId: "ghost", input: {name: "x"}) { clientId } }');
  assert.equal(code(missing), 'NOT_FOUND');
  // No field of the schema exposes a secret or its hash.
  const fields = await ok('{ __type(name: "Client") { fields { name } } }');
  assert.equal(
    fields.__type.fields.some((f: { name: string }) => /secret(?!RotatedAt)|hash/i.test(f.name)),
    false,
  );
});

test('rotateClientSecret: new secret works, old one stops; public clients refused', async () => {
  const c = await createClient(srv, 'shop', {
    clientId: 'shop-svc',
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api'],
  });
  const d = await ok('mutation { rotateClientSecret(tenant: "shop", clientId: "shop-svc") { client { clientId } clientSecret } }');
  const fresh = d.rotateClientSecret.clientSecret as string;
  assert.notEqual(fresh, c.clientSecret);
  assert.equal((await clientCredentials(srv, 'shop', 'shop-svc', c.clientSecret!)).status, 401);
  assert.equal((await clientCredentials(srv, 'shop', 'shop-svc', fresh)).status, 200);
  const spa = await createClient(srv, 'shop', {
    clientId: 'shop-spa2',
    name: 'spa',
    clientType: 'PUBLIC',
    redirectUris: ['https://shop.example/s'],
  });
  const r = await call(`mutation { rotateClientSecret(tenant: "shop", clientId: "${spa.clientId}") { clientSecret } }`);
  assert.equal(code(r), 'BAD_USER_INPUT');
  assert.equal(code(await call('mutation { rotateClientSecret(tenant: "shop", clientId: "ghost") { clientSecret } }')), 'NOT_FOUND');
});

test('client and clients queries; Tenant.client; deleteClient', async () => {
  const one = await ok(
    '{ client(tenant: "shop", clientId: "shop-web") { clientId name } ghost: client(tenant: "shop", clientId: "ghost") { clientId } }',
  );
  assert.equal(one.client.name, 'Shop web 2');
  assert.equal(one.ghost, null);
  const list = await ok('{ clients(tenant: "shop", first: 2) { edges { node { clientId } } pageInfo { hasNextPage endCursor } } }');
  assert.equal(list.clients.edges.length, 2);
  assert.equal(list.clients.pageInfo.hasNextPage, true);
  const rest = await ok(
    'query($a: String) { clients(tenant: "shop", first: 50, after: $a) { edges { node { clientId } } pageInfo { hasNextPage } } }',
    { a: list.clients.pageInfo.endCursor },
  );
  assert.equal(rest.clients.pageInfo.hasNextPage, false);
  const all = [...list.clients.edges, ...rest.clients.edges].map((e: any) => e.node.clientId);
  assert.deepEqual(all, [...all].sort());
  const nested = await ok('{ tenant(slug: "shop") { client(clientId: "shop-svc") { clientId } } }');
  assert.equal(nested.tenant.client.clientId, 'shop-svc');
  assert.equal((await ok('mutation { deleteClient(tenant: "shop", clientId: "shop-svc") }')).deleteClient, true);
  assert.equal((await ok('mutation { deleteClient(tenant: "shop", clientId: "shop-svc") }')).deleteClient, false);
  assert.equal((await ok('{ client(tenant: "shop", clientId: "shop-svc") { clientId } }')).client, null);
});

test('users: create, get, search by username prefix and e-mail, update claims, password, disable/enable, delete', async () => {
  const id = await createUser(srv, 'shop', 'Alice', 'correct-horse-1', { email: 'Alice@Shop.example', name: 'Alice', department: 'sales' });
  await createUser(srv, 'shop', 'alan', 'correct-horse-2', { email: 'alan@shop.example' });
  await createUser(srv, 'shop', 'bob', 'correct-horse-3');
  const got = await ok(`{ user(tenant: "shop", id: "${id}") { id username email claims disabled tenant { slug } createdAt updatedAt } }`);
  assert.equal(got.user.username, 'Alice');
  assert.equal(got.user.email, 'alice@shop.example');
  assert.equal(got.user.claims.department, 'sales');
  const prefix = await ok('{ users(tenant: "shop", filter: {usernamePrefix: "al"}) { edges { node { username } } } }');
  assert.deepEqual(
    prefix.users.edges.map((e: any) => e.node.username),
    ['alan', 'Alice'],
  );
  const byMail = await ok('{ users(tenant: "shop", filter: {email: "ALICE@shop.example"}) { edges { node { id } } } }');
  assert.deepEqual(
    byMail.users.edges.map((e: any) => e.node.id),
    [id],
  );
  const all = await ok('{ tenant(slug: "shop") { users(first: 2) { edges { node { username } } pageInfo { hasNextPage } } } }');
  assert.equal(all.tenant.users.edges.length, 2);
  assert.equal(all.tenant.users.pageInfo.hasNextPage, true);

  const upd = await ok(
    `mutation { updateUser(tenant: "shop", id: "${id}", input: {username: "alice2", claims: {email: "a2@shop.example", given_name: "Alice"}}) { username email claims } }`,
  );
  assert.equal(upd.updateUser.username, 'alice2');
  assert.deepEqual(upd.updateUser.claims, { email: 'a2@shop.example', given_name: 'Alice' });
  assert.equal(
    field(await call(`mutation { updateUser(tenant: "shop", id: "${id}", input: {claims: {email_verified: "yes"}}) { id } }`)),
    'claims.email_verified',
  );
  assert.equal(field(await call(`mutation { updateUser(tenant: "shop", id: "${id}", input: {claims: {sub: "x"}}) { id } }`)), 'claims.sub');
  assert.equal(code(await call(`mutation { updateUser(tenant: "shop", id: "${id}", input: {username: "BOB"}) { id } }`)), 'CONFLICT');
  assert.equal(code(await call('mutation { updateUser(tenant: "shop", id: "ghost", input: {username: "x"}) { id } }')), 'NOT_FOUND');

  const before = (await srv.store.forTenant((await srv.rt.tenants.get('shop'))!.id).users.findById(id))!.passwordHash;
  await ok(`mutation { setUserPassword(tenant: "shop", id: "${id}", password: "a-new-password") { id } }`);
  const afterHash = (await srv.store.forTenant((await srv.rt.tenants.get('shop'))!.id).users.findById(id))!.passwordHash;
  assert.notEqual(afterHash, before);
  assert.equal(field(await call(`mutation { setUserPassword(tenant: "shop", id: "${id}", password: "short") { id } }`)), 'password');

  assert.equal((await ok(`mutation { disableUser(tenant: "shop", id: "${id}") { disabled } }`)).disableUser.disabled, true);
  assert.equal((await ok(`mutation { enableUser(tenant: "shop", id: "${id}") { disabled } }`)).enableUser.disabled, false);
  assert.equal(code(await call('mutation { disableUser(tenant: "shop", id: "ghost") { id } }')), 'NOT_FOUND');

  assert.equal(field(await call('mutation { createUser(tenant: "shop", input: {username: "x", password: "short"}) { id } }')), 'password');
  assert.equal(
    field(await call('mutation { createUser(tenant: "shop", input: {username: "", password: "long-enough-1"}) { id } }')),
    'username',
  );
  assert.equal(
    code(await call('mutation { createUser(tenant: "shop", input: {username: "BOB", password: "long-enough-1"}) { id } }')),
    'CONFLICT',
  );

  assert.equal((await ok(`mutation { deleteUser(tenant: "shop", id: "${id}") }`)).deleteUser, true);
  assert.equal((await ok(`mutation { deleteUser(tenant: "shop", id: "${id}") }`)).deleteUser, false);
  assert.equal((await ok(`{ user(tenant: "shop", id: "${id}") { id } }`)).user, null);
  // No field of the schema exposes a password or its hash.
  const fields = await ok('{ __type(name: "User") { fields { name } } }');
  assert.equal(
    fields.__type.fields.some((f: { name: string }) => /password|hash/i.test(f.name)),
    false,
  );
});

test('scopes: set (create and replace), list on the tenant, delete; bad input', async () => {
  await ok(
    'mutation { setScope(tenant: "shop", input: {name: "orders:read", displayName: "Read orders", description: "See your orders.", claims: ["orders"]}) { name } }',
  );
  const d = await ok(
    'mutation { setScope(tenant: "shop", input: {name: "orders:read", displayName: "Read your orders", claims: ["orders", "customer_no"]}) { name displayName description claims standard } }',
  );
  assert.deepEqual(d.setScope, {
    name: 'orders:read',
    displayName: 'Read your orders',
    description: '',
    claims: ['orders', 'customer_no'],
    standard: false,
  });
  await ok(
    'mutation { setScope(tenant: "shop", input: {name: "profile", displayName: "Your profile", description: "Name and picture."}) { standard } }',
  );
  const list = await ok('{ tenant(slug: "shop") { scopes { name standard } } }');
  assert.deepEqual(list.tenant.scopes, [
    { name: 'orders:read', standard: false },
    { name: 'profile', standard: true },
  ]);
  assert.equal(field(await call('mutation { setScope(tenant: "shop", input: {name: "bad scope"}) { name } }')), 'name');
  assert.equal(field(await call('mutation { setScope(tenant: "shop", input: {name: "openid", claims: ["x"]}) { name } }')), 'claims');
  assert.equal((await ok('mutation { deleteScope(tenant: "shop", name: "orders:read") }')).deleteScope, true);
  assert.equal((await ok('mutation { deleteScope(tenant: "shop", name: "orders:read") }')).deleteScope, false);
  // Concurrent edits of different scopes both survive (optimistic concurrency on the tenant).
  await Promise.all(['a', 'b', 'c', 'd'].map((n) => ok(`mutation { setScope(tenant: "shop", input: {name: "${n}"}) { name } }`)));
  const after4 = await ok('{ tenant(slug: "shop") { scopes { name } } }');
  assert.deepEqual(
    after4.tenant.scopes.map((s: any) => s.name),
    ['a', 'b', 'c', 'd', 'profile'],
  );
});

test('signing keys: list with status, rotate, revoke; unknown kid', async () => {
  const before = await ok('{ tenant(slug: "shop") { signingKeys { kid alg status createdAt publicJwk } } }');
  const keys = before.tenant.signingKeys as { kid: string; alg: string; status: string; publicJwk: Record<string, unknown> }[];
  assert.equal(keys.filter((k) => k.status === 'ACTIVE').length, 4);
  assert.equal(keys.filter((k) => k.status === 'NEXT').length, 4);
  for (const k of keys) assert.equal('d' in k.publicJwk, false);
  const activeRs = keys.find((k) => k.alg === 'RS256' && k.status === 'ACTIVE')!;
  const nextRs = keys.find((k) => k.alg === 'RS256' && k.status === 'NEXT')!;
  const r = await ok('mutation { rotateSigningKeys(tenant: "shop") { signingKeys { kid alg status retiredAt removeAfter } } }');
  const after = r.rotateSigningKeys.signingKeys as { kid: string; status: string; removeAfter: string | null }[];
  assert.equal(after.find((k) => k.kid === activeRs.kid)!.status, 'RETIRED');
  assert.ok(after.find((k) => k.kid === activeRs.kid)!.removeAfter);
  assert.equal(after.find((k) => k.kid === nextRs.kid)!.status, 'ACTIVE');
  const jwks = (await (await fetch(`${srv.url}/t/shop/jwks`)).json().catch(() => null)) as { keys: { kid: string }[] } | null;
  if (jwks) assert.ok(jwks.keys.some((k) => k.kid === nextRs.kid));
  const v = await ok(`mutation { revokeSigningKey(tenant: "shop", kid: "${nextRs.kid}") { signingKeys { kid status revokedAt } } }`);
  const revoked = v.revokeSigningKey.signingKeys.find((k: any) => k.kid === nextRs.kid);
  assert.equal(revoked.status, 'REVOKED');
  assert.ok(revoked.revokedAt);
  assert.equal(code(await call('mutation { revokeSigningKey(tenant: "shop", kid: "nope") { slug } }')), 'NOT_FOUND');
});

test('initial access tokens: create (shown once, stored hashed), list, single use, revoke', async () => {
  const t = (await ok('mutation { createInitialAccessToken(tenant: "shop") }')).createInitialAccessToken as string;
  assert.ok(t.length >= 40);
  const single = (await ok('mutation { createInitialAccessToken(tenant: "shop", expiresIn: 3600, singleUse: true) }'))
    .createInitialAccessToken as string;
  const tenant = (await srv.rt.tenants.get('shop'))!;
  const { consumeInitialAccessToken } = await import('../src/clients/initial-access-tokens.js');
  assert.ok(await consumeInitialAccessToken(srv.rt, tenant, single));
  assert.equal(await consumeInitialAccessToken(srv.rt, tenant, single), null);
  assert.ok(await consumeInitialAccessToken(srv.rt, tenant, t));
  assert.ok(await consumeInitialAccessToken(srv.rt, tenant, t));
  const list = await ok(
    '{ tenant(slug: "shop") { initialAccessTokens { edges { node { id singleUse uses active expiresAt createdBy } } } } }',
  );
  const nodes = list.tenant.initialAccessTokens.edges.map((e: any) => e.node);
  assert.equal(nodes.length, 2);
  assert.deepEqual(
    nodes.map((n: any) => [n.singleUse, n.uses, n.active]),
    [
      [true, 1, false],
      [false, 2, true],
    ],
  );
  assert.equal(nodes[0].createdBy, 'test-admin');
  const stored = JSON.stringify(await srv.store.conn.collection('initial_access_tokens').find({}).toArray());
  assert.equal(stored.includes(t), false);
  const rv = await ok(`mutation { revokeInitialAccessToken(tenant: "shop", id: "${nodes[1].id}") { active revokedAt } }`);
  assert.equal(rv.revokeInitialAccessToken.active, false);
  assert.equal(await consumeInitialAccessToken(srv.rt, tenant, t), null);
  assert.equal(field(await call('mutation { createInitialAccessToken(tenant: "shop", expiresIn: 5) }')), 'expiresIn');
  assert.equal(code(await call('mutation { revokeInitialAccessToken(tenant: "shop", id: "nope") { id } }')), 'NOT_FOUND');
});

/** Seeds what an authorization would leave behind: a consent, a grant and an opaque access token. */
async function seedAccess(userId: string, clientId: string) {
  const ts = srv.store.forTenant((await srv.rt.tenants.get('shop'))!.id);
  const now = new Date();
  const later = new Date(now.getTime() + 3600_000);
  await ts.consents.save(userId, clientId, { scopes: ['openid', 'profile'], claims: '[]', grantedAt: now, expiresAt: later });
  const grant = await ts.grants.insert({
    _id: randomUUID(),
    userId,
    clientId,
    sid: 's',
    scopes: ['openid'],
    claims: null,
    authTime: 0,
    acr: null,
    amr: [],
    nonce: null,
    resource: [],
    offlineAccess: true,
    createdAt: now,
    expiresAt: later,
    revokedAt: null,
  });
  await ts.accessTokens.insert({
    _id: randomUUID(),
    jti: randomUUID(),
    clientId,
    sub: userId,
    grantId: grant._id,
    scopes: ['openid'],
    audience: [],
    authTime: null,
    acr: null,
    createdAt: now,
    expiresAt: later,
    revokedAt: null,
  });
  return { ts, grantId: grant._id };
}

test('consents per user and per client; revokeConsent revokes that client’s grants for the user', async () => {
  const u1 = await createUser(srv, 'shop', 'carol', 'correct-horse-9');
  const u2 = await createUser(srv, 'shop', 'dave', 'correct-horse-9');
  await createClient(srv, 'shop', { clientId: 'shop-a', name: 'A', clientType: 'PUBLIC', redirectUris: ['https://a.example/cb'] });
  await createClient(srv, 'shop', { clientId: 'shop-b', name: 'B', clientType: 'PUBLIC', redirectUris: ['https://b.example/cb'] });
  const a1 = await seedAccess(u1, 'shop-a');
  const b1 = await seedAccess(u1, 'shop-b');
  await seedAccess(u2, 'shop-a');
  const byUser = await ok(
    `{ consents(tenant: "shop", userId: "${u1}") { edges { node { clientId scopes grantedAt expiresAt client { name } user { username } } } } }`,
  );
  assert.deepEqual(byUser.consents.edges.map((e: any) => e.node.clientId).sort(), ['shop-a', 'shop-b']);
  assert.equal(byUser.consents.edges[0].node.user.username, 'carol');
  const byClient = await ok('{ client(tenant: "shop", clientId: "shop-a") { consents { edges { node { userId } } } } }');
  assert.deepEqual(byClient.client.consents.edges.map((e: any) => e.node.userId).sort(), [u1, u2].sort());
  const nested = await ok(`{ user(tenant: "shop", id: "${u2}") { consents { edges { node { clientId } } } } }`);
  assert.deepEqual(
    nested.user.consents.edges.map((e: any) => e.node.clientId),
    ['shop-a'],
  );
  assert.equal(field(await call('{ consents(tenant: "shop") { edges { cursor } } }')), 'userId');

  assert.equal((await ok(`mutation { revokeConsent(tenant: "shop", userId: "${u1}", clientId: "shop-a") }`)).revokeConsent, true);
  assert.equal(await a1.ts.consents.find(u1, 'shop-a'), null);
  assert.equal(await a1.ts.grants.findActive(a1.grantId), null);
  assert.ok(await b1.ts.grants.findActive(b1.grantId), 'another client of the same user keeps its grant');
  assert.equal((await ok(`mutation { revokeConsent(tenant: "shop", userId: "${u1}", clientId: "shop-a") }`)).revokeConsent, false);
});

test('revokeTokens: of a user, of a client, of a user at a client', async () => {
  const u = await createUser(srv, 'shop', 'erin', 'correct-horse-9');
  const v = await createUser(srv, 'shop', 'frank', 'correct-horse-9');
  const ua = await seedAccess(u, 'shop-a');
  const ub = await seedAccess(u, 'shop-b');
  const va = await seedAccess(v, 'shop-a');
  const vb = await seedAccess(v, 'shop-b');
  const both = await ok(`mutation { revokeTokens(tenant: "shop", userId: "${u}", clientId: "shop-a") { grants accessTokens } }`);
  assert.deepEqual(both.revokeTokens, { grants: 1, accessTokens: 1 });
  assert.equal(await ua.ts.grants.findActive(ua.grantId), null);
  assert.ok(await ub.ts.grants.findActive(ub.grantId));
  const user = await ok(`mutation { revokeTokens(tenant: "shop", userId: "${u}") { grants } }`);
  assert.equal(user.revokeTokens.grants, 1);
  assert.equal(await ub.ts.grants.findActive(ub.grantId), null);
  assert.ok(await va.ts.grants.findActive(va.grantId));
  const client = await ok('mutation { revokeTokens(tenant: "shop", clientId: "shop-b") { grants accessTokens } }');
  assert.ok(client.revokeTokens.grants >= 1);
  assert.equal(await vb.ts.grants.findActive(vb.grantId), null);
  assert.ok(await va.ts.grants.findActive(va.grantId));
  assert.equal(field(await call('mutation { revokeTokens(tenant: "shop") { grants } }')), 'userId');
  // Disabling a user revokes what it holds.
  await ok(`mutation { disableUser(tenant: "shop", id: "${v}") { id } }`);
  assert.equal(await va.ts.grants.findActive(va.grantId), null);
});
