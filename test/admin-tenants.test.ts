import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminToken, createClient, createTenant, gql, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
before(async () => {
  srv = await startTestServer({ label: 'admtenants' });
  token = await adminToken(srv);
});
after(() => srv.close());

const ok = <T = Record<string, any>>(q: string, v: Record<string, unknown> = {}) => gqlOk<T>(srv, q, v, token);
const call = (q: string, v: Record<string, unknown> = {}) => gql(srv, q, v, token);

const TENANT_FIELDS = `slug displayName issuer discoveryUrl branding { logoUrl primaryColor }
  settings { signingAlg codeTtl idTokenTtl accessTokenTtl refreshTokenTtl consentTtl sessionTtl subjectType dynamicRegistration passwordGrant keyRotationDays allowedGrantTypes }
  overriddenSettings createdAt updatedAt`;

test('viewer describes the calling admin', async () => {
  const d = await ok('{ viewer { clientId platformAdmin tenantSlugs } }');
  assert.deepEqual(d.viewer, { clientId: 'test-admin', platformAdmin: true, tenantSlugs: [] });
});

test('createTenant with branding, settings, scopes and clients in one mutation', async () => {
  const d = await ok(
    `mutation($input: CreateTenantInput!) { createTenant(input: $input) {
      tenant { ${TENANT_FIELDS} scopes { name displayName description claims standard } signingKeys { kid alg status } clients { edges { node { clientId name } } } }
      clients { client { clientId clientType } clientSecret } } }`,
    {
      input: {
        slug: 'acme',
        displayName: 'Acme Inc',
        signingAlg: 'ES256',
        dynamicRegistration: 'DISABLED',
        branding: { logoUrl: 'https://acme.example/logo.png', primaryColor: '#AABBCC' },
        settings: {
          accessTokenTtl: 600,
          consentTtl: 86400,
          subjectType: 'pairwise',
          passwordGrant: true,
          keyRotationDays: 30,
          allowedGrantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        },
        scopes: [{ name: 'api:read', displayName: 'Read the API', description: 'Lets the app read your data.', claims: ['department'] }],
        clients: [
          { clientId: 'acme-web', name: 'Acme web', clientType: 'CONFIDENTIAL', redirectUris: ['https://acme.example/cb'] },
          { clientId: 'acme-spa', name: 'Acme SPA', clientType: 'PUBLIC', redirectUris: ['https://acme.example/spa'] },
        ],
      },
    },
  );
  const t = d.createTenant.tenant;
  assert.equal(t.slug, 'acme');
  assert.equal(t.issuer, `${srv.url}/t/acme`);
  assert.equal(t.discoveryUrl, `${srv.url}/t/acme/.well-known/openid-configuration`);
  assert.deepEqual(t.branding, { logoUrl: 'https://acme.example/logo.png', primaryColor: '#aabbcc' });
  assert.equal(t.settings.signingAlg, 'ES256');
  assert.equal(t.settings.accessTokenTtl, 600);
  assert.equal(t.settings.idTokenTtl, 3600);
  assert.equal(t.settings.dynamicRegistration, 'DISABLED');
  assert.equal(t.settings.subjectType, 'pairwise');
  assert.equal(t.settings.passwordGrant, true);
  assert.equal(t.settings.keyRotationDays, 30);
  assert.deepEqual(t.settings.allowedGrantTypes, ['authorization_code', 'refresh_token', 'client_credentials']);
  assert.deepEqual([...t.overriddenSettings].sort(), [
    'accessTokenTtl',
    'allowedGrantTypes',
    'consentTtl',
    'dynamicRegistration',
    'keyRotationDays',
    'passwordGrant',
    'signingAlg',
    'subjectType',
  ]);
  assert.deepEqual(t.scopes, [
    { name: 'api:read', displayName: 'Read the API', description: 'Lets the app read your data.', claims: ['department'], standard: false },
  ]);
  assert.equal(t.signingKeys.length, 8);
  assert.deepEqual(
    t.clients.edges.map((e: any) => e.node.clientId),
    ['acme-spa', 'acme-web'],
  );
  const [web, spa] = d.createTenant.clients;
  assert.equal(web.client.clientId, 'acme-web');
  assert.ok(web.clientSecret && web.clientSecret.length >= 32);
  assert.equal(spa.clientSecret, null);
  // The tenant serves discovery at once.
  const disc = await fetch(`${srv.url}/t/acme/.well-known/openid-configuration`);
  assert.equal(disc.status, 200);
});

test('createTenant refuses bad input with the field named, and creates nothing', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ slug: 'Bad Slug', displayName: 'x' }, 'slug'],
    [{ slug: 'system', displayName: 'x' }, 'slug'],
    [{ slug: 'ok-slug', displayName: '' }, 'displayName'],
    [{ slug: 'ok-slug', displayName: 'x', signingAlg: 'HS256' }, 'signingAlg'],
    [{ slug: 'ok-slug', displayName: 'x', settings: { accessTokenTtl: 0 } }, 'accessTokenTtl'],
    [{ slug: 'ok-slug', displayName: 'x', settings: { allowedGrantTypes: ['magic'] } }, 'allowedGrantTypes'],
    [{ slug: 'ok-slug', displayName: 'x', branding: { primaryColor: 'red' } }, 'branding.primaryColor'],
    [{ slug: 'ok-slug', displayName: 'x', scopes: [{ name: 'has space' }] }, 'scopes[0].name'],
    [
      { slug: 'ok-slug', displayName: 'x', clients: [{ name: 'c', clientType: 'CONFIDENTIAL', redirectUris: ['not a url'] }] },
      'clients[0].redirectUris',
    ],
    [
      {
        slug: 'ok-slug',
        displayName: 'x',
        settings: { allowedGrantTypes: ['client_credentials'] },
        clients: [{ name: 'c', clientType: 'CONFIDENTIAL', redirectUris: ['https://x.example/cb'] }],
      },
      'clients[0].grantTypes',
    ],
  ];
  for (const [input, field] of cases) {
    const r = await call('mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }', { input });
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
    assert.equal(r.errors?.[0]?.extensions?.field, field, JSON.stringify(r.errors));
  }
  const d = await ok('{ tenant(slug: "ok-slug") { slug } }');
  assert.equal(d.tenant, null);
  const dup = await call('mutation { createTenant(input: {slug: "acme", displayName: "again"}) { tenant { slug } } }');
  assert.equal(dup.errors?.[0]?.extensions?.code, 'CONFLICT');
});

test('updateTenant changes name, branding, lifetimes, grant types, consent lifetime, subject type, password grant; null resets', async () => {
  await createTenant(srv, 'upd');
  const d = await ok(`mutation($input: UpdateTenantInput!) { updateTenant(slug: "upd", input: $input) { ${TENANT_FIELDS} } }`, {
    input: {
      displayName: 'Updated',
      branding: { primaryColor: '#010203' },
      settings: {
        codeTtl: 30,
        idTokenTtl: 900,
        accessTokenTtl: 900,
        refreshTokenTtl: 86400,
        consentTtl: 3600,
        sessionTtl: 7200,
        subjectType: 'pairwise',
        passwordGrant: true,
        allowedGrantTypes: ['authorization_code'],
      },
    },
  });
  const t = d.updateTenant;
  assert.equal(t.displayName, 'Updated');
  assert.deepEqual(t.branding, { logoUrl: null, primaryColor: '#010203' });
  assert.deepEqual(
    { ...t.settings, allowedGrantTypes: undefined },
    {
      signingAlg: 'RS256',
      codeTtl: 30,
      idTokenTtl: 900,
      accessTokenTtl: 900,
      refreshTokenTtl: 86400,
      consentTtl: 3600,
      sessionTtl: 7200,
      subjectType: 'pairwise',
      dynamicRegistration: 'TOKEN',
      passwordGrant: true,
      keyRotationDays: 0,
      allowedGrantTypes: undefined,
    },
  );
  assert.deepEqual(t.settings.allowedGrantTypes, ['authorization_code']);
  // A grant the tenant no longer allows cannot be given to a client.
  const r = await call(
    'mutation { createClient(tenant: "upd", input: {name: "m2m", clientType: CONFIDENTIAL, redirectUris: [], grantTypes: ["client_credentials"], responseTypes: []}) { client { clientId } } }',
  );
  assert.equal(r.errors?.[0]?.extensions?.field, 'grantTypes');

  const reset = await ok(
    `mutation { updateTenant(slug: "upd", input: {settings: {accessTokenTtl: null, allowedGrantTypes: null}, branding: null}) { ${TENANT_FIELDS} } }`,
  );
  assert.equal(reset.updateTenant.settings.accessTokenTtl, 3600);
  assert.equal(reset.updateTenant.settings.allowedGrantTypes.length, 7);
  assert.equal(reset.updateTenant.overriddenSettings.includes('accessTokenTtl'), false);
  assert.deepEqual(reset.updateTenant.branding, { logoUrl: null, primaryColor: null });

  const bad = await call('mutation { updateTenant(slug: "upd", input: {settings: {subjectType: "weird"}}) { slug } }');
  assert.equal(bad.errors?.[0]?.extensions?.field, 'subjectType');
  const missing = await call('mutation { updateTenant(slug: "nope", input: {displayName: "x"}) { slug } }');
  assert.equal(missing.errors?.[0]?.extensions?.code, 'NOT_FOUND');
});

test('the token endpoint refuses a grant type the tenant no longer allows', async () => {
  await createTenant(srv, 'narrow');
  const c = await createClient(srv, 'narrow', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scopes: ['api'],
  });
  const { clientCredentials } = await import('./helpers/admin.js');
  assert.equal((await clientCredentials(srv, 'narrow', c.clientId, c.clientSecret!)).status, 200);
  await ok('mutation { updateTenant(slug: "narrow", input: {settings: {allowedGrantTypes: ["authorization_code"]}}) { slug } }');
  const res = await clientCredentials(srv, 'narrow', c.clientId, c.clientSecret!);
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: string }).error, 'unauthorized_client');
});

test('tenants: pagination with stable cursors, filter by slug prefix and display name', async () => {
  for (const s of ['page-a', 'page-b', 'page-c']) await createTenant(srv, s, `Paged ${s.toUpperCase()}`);
  const p1 = await ok(
    '{ tenants(first: 2, filter: {slugPrefix: "page-"}) { edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }',
  );
  assert.deepEqual(
    p1.tenants.edges.map((e: any) => e.node.slug),
    ['page-a', 'page-b'],
  );
  assert.equal(p1.tenants.pageInfo.hasNextPage, true);
  // A tenant created between pages does not shift the next page.
  await createTenant(srv, 'page-0');
  const p2 = await ok(
    'query($after: String) { tenants(first: 2, after: $after, filter: {slugPrefix: "page-"}) { edges { node { slug } } pageInfo { hasNextPage } } }',
    { after: p1.tenants.pageInfo.endCursor },
  );
  assert.deepEqual(
    p2.tenants.edges.map((e: any) => e.node.slug),
    ['page-c'],
  );
  assert.equal(p2.tenants.pageInfo.hasNextPage, false);
  const s = await ok('{ tenants(filter: {search: "paged page-b"}) { edges { node { slug } } } }');
  assert.deepEqual(
    s.tenants.edges.map((e: any) => e.node.slug),
    ['page-b'],
  );
  const bad = await call('{ tenants(first: 500) { edges { node { slug } } } }');
  assert.equal(bad.errors?.[0]?.extensions?.field, 'first');
  const badCursor = await call('{ tenants(after: "nonsense!") { edges { node { slug } } } }');
  assert.equal(badCursor.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
});

test('defaultTenantSettings shows the platform defaults', async () => {
  const d = await ok('{ defaultTenantSettings { accessTokenTtl signingAlg dynamicRegistration allowedGrantTypes } }');
  assert.equal(d.defaultTenantSettings.accessTokenTtl, 3600);
  assert.equal(d.defaultTenantSettings.signingAlg, 'RS256');
  assert.equal(d.defaultTenantSettings.dynamicRegistration, 'TOKEN');
});

test('deleteTenant removes the tenant with everything it owns; system cannot be deleted', async () => {
  await createTenant(srv, 'doomed');
  await createClient(srv, 'doomed', { name: 'c', clientType: 'PUBLIC', redirectUris: ['https://d.example/cb'] });
  const tenantId = (await srv.rt.tenants.get('doomed'))!.id;
  const d = await ok('mutation { deleteTenant(slug: "doomed") }');
  assert.equal(d.deleteTenant, true);
  assert.equal((await ok('{ tenant(slug: "doomed") { slug } }')).tenant, null);
  assert.equal((await fetch(`${srv.url}/t/doomed/.well-known/openid-configuration`)).status, 404);
  const ts = srv.store.forTenant(tenantId);
  assert.equal((await ts.clients.list({})).items.length, 0);
  assert.equal(await ts.keysets.get(), null);
  assert.equal((await ok('mutation { deleteTenant(slug: "doomed") }')).deleteTenant, false);
  const sys = await call('mutation { deleteTenant(slug: "system") }');
  assert.equal(sys.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.ok(await ok('{ tenant(slug: "system") { slug } }'));
});

test('anonymous callers get UNAUTHENTICATED, introspection included; admins can introspect', async () => {
  const anon = await gql(srv, '{ __schema { queryType { name } } }', {}, null);
  assert.equal(anon.status, 401);
  assert.equal(anon.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  const d = await ok('{ __schema { queryType { name } } }');
  assert.equal(d.__schema.queryType.name, 'Query');
});

test('every type, field, argument-bearing input field and enum value of the schema is described', async () => {
  const d = await ok(
    `{ __schema { types { name kind description fields { name description } inputFields { name description } enumValues { name description } } } }`,
  );
  const missing: string[] = [];
  for (const t of d.__schema.types) {
    if (t.name.startsWith('__') || ['String', 'Int', 'Boolean', 'ID', 'Float'].includes(t.name)) continue;
    if (!t.description) missing.push(t.name);
    for (const f of [...(t.fields ?? []), ...(t.inputFields ?? []), ...(t.enumValues ?? [])])
      if (!f.description) missing.push(`${t.name}.${f.name}`);
  }
  assert.deepEqual(missing, []);
});

test('depth and cost limits refuse abusive queries before running them', async () => {
  const deep = await call(
    '{ tenants { edges { node { clients { edges { node { tenant { clients { edges { node { tenant { clients { edges { node { clientId } } } } } } } } } } } } } } }',
  );
  assert.equal(deep.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  const costly = await call(
    'query($n: Int) { tenants(first: 100) { edges { node { clients(first: $n) { edges { node { clientId } } } users(first: 100) { edges { node { id } } } } } } }',
    { n: 100 },
  );
  assert.equal(costly.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.equal(costly.data, undefined);
});
