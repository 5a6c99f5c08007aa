import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectAdminApi } from '../scripts/lib/admin-api.js';
import { exportTenant } from '../scripts/lib/tenant-export.js';
import { applyChanges, planTenant } from '../scripts/lib/tenant-plan.js';
import { fetchTenant } from '../scripts/lib/tenant-state.js';
import { parseTenantFile, TenantFileError } from '../src/tenant-files/tenant-file.js';
import { adminToken, createTenant, gql, gqlOk } from './helpers/admin.js';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from './helpers/server.js';

/**
 * Per-tenant resource servers (RFC 8707) through the admin API and tenant files: create,
 * update, delete with audit records; input errors with extensions.code; the
 * resourceIndicators setting; and a tenant file's `resourceServers:` planned, applied and
 * exported back unchanged.
 */
const T = 'rs-admin';
let srv: TestServer;

const FIELDS = 'identifier name scopes accessTokenFormat accessTokenTtl allowedClients';
const CREATE = `mutation($t: String!, $i: CreateResourceServerInput!) { createResourceServer(tenant: $t, input: $i) { ${FIELDS} } }`;
const UPDATE = `mutation($t: String!, $id: String!, $i: UpdateResourceServerInput!) { updateResourceServer(tenant: $t, identifier: $id, input: $i) { ${FIELDS} } }`;
const DELETE = `mutation($t: String!, $id: String!) { deleteResourceServer(tenant: $t, identifier: $id) }`;

before(async () => {
  srv = await startTestServer({ label: 'rs-admin' });
  await createTenant(srv, T, 'RS Admin');
});
after(() => srv.close());

test('create, read, update, delete; each change has its audit record', async () => {
  const created = await gqlOk(srv, CREATE, { t: T, i: { identifier: 'https://orders.example/', scopes: ['orders:read', 'orders:read'] } });
  assert.deepEqual(created.createResourceServer, {
    identifier: 'https://orders.example/',
    name: 'https://orders.example/',
    scopes: ['orders:read'],
    accessTokenFormat: 'JWT',
    accessTokenTtl: null,
    allowedClients: null,
  });
  const updated = await gqlOk(srv, UPDATE, {
    t: T,
    id: 'https://orders.example/',
    i: { name: 'Orders', accessTokenFormat: 'OPAQUE', accessTokenTtl: 120, allowedClients: ['web'] },
  });
  assert.deepEqual(updated.updateResourceServer, {
    identifier: 'https://orders.example/',
    name: 'Orders',
    scopes: ['orders:read'],
    accessTokenFormat: 'OPAQUE',
    accessTokenTtl: 120,
    allowedClients: ['web'],
  });
  // An explicit null returns a field to its default.
  const reset = await gqlOk(srv, UPDATE, { t: T, id: 'https://orders.example/', i: { accessTokenTtl: null, allowedClients: null } });
  assert.equal(reset.updateResourceServer.accessTokenTtl, null);
  assert.equal(reset.updateResourceServer.allowedClients, null);

  const listed = await gqlOk(
    srv,
    `{ tenant(slug: "${T}") { resourceServers { edges { node { identifier name } } } one: resourceServer(identifier: "https://orders.example/") { name } } }`,
  );
  assert.deepEqual(listed.tenant.resourceServers.edges, [{ node: { identifier: 'https://orders.example/', name: 'Orders' } }]);
  assert.equal(listed.tenant.one.name, 'Orders');

  assert.equal((await gqlOk(srv, DELETE, { t: T, id: 'https://orders.example/' })).deleteResourceServer, true);
  assert.equal((await gqlOk(srv, DELETE, { t: T, id: 'https://orders.example/' })).deleteResourceServer, false);

  const audit = await gqlOk(
    srv,
    `{ auditEvents(tenant: "${T}", first: 20) { edges { node { operation outcome targetType targetId before after } } } }`,
  );
  const ops = audit.auditEvents.edges.map((e: any) => e.node).filter((n: any) => n.targetType === 'ResourceServer');
  assert.deepEqual(ops.map((n: any) => `${n.operation}:${n.outcome}`).reverse(), [
    'createResourceServer:SUCCESS',
    'updateResourceServer:SUCCESS',
    'updateResourceServer:SUCCESS',
    'deleteResourceServer:SUCCESS',
    'deleteResourceServer:SUCCESS',
  ]);
  const firstUpdate = ops[ops.length - 2];
  assert.equal(firstUpdate.before.accessTokenFormat, 'jwt');
  assert.equal(firstUpdate.after.accessTokenFormat, 'opaque');
  assert.equal(ops[0].targetId, 'https://orders.example/');
});

test('bad input is BAD_USER_INPUT, a taken identifier CONFLICT, an unknown one NOT_FOUND', async () => {
  const bad: Record<string, unknown>[] = [
    { identifier: 'not a uri' },
    { identifier: 'relative/path' },
    { identifier: 'https://api.example/#frag' },
    { identifier: srv.issuer(T) },
    { identifier: 'https://api.example/', scopes: ['openid'] },
    { identifier: 'https://api.example/', scopes: ['has space'] },
    { identifier: 'https://api.example/', accessTokenTtl: 0 },
  ];
  for (const i of bad) {
    const r = await gql(srv, CREATE, { t: T, i }, await adminTokenOnce());
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(i));
  }
  await gqlOk(srv, CREATE, { t: T, i: { identifier: 'https://dup.example/' } });
  const dup = await gql(srv, CREATE, { t: T, i: { identifier: 'https://dup.example/' } }, await adminTokenOnce());
  assert.equal(dup.errors?.[0]?.extensions?.code, 'CONFLICT');
  const missing = await gql(srv, UPDATE, { t: T, id: 'https://missing.example/', i: { name: 'x' } }, await adminTokenOnce());
  assert.equal(missing.errors?.[0]?.extensions?.code, 'NOT_FOUND');
});

test('the resourceIndicators setting: default true, changed through updateTenant', async () => {
  const q = `{ tenant(slug: "${T}") { settings { resourceIndicators } } defaultTenantSettings { resourceIndicators } }`;
  const d = await gqlOk(srv, q);
  assert.equal(d.tenant.settings.resourceIndicators, true);
  assert.equal(d.defaultTenantSettings.resourceIndicators, true);
  await gqlOk(srv, `mutation { updateTenant(slug: "${T}", input: { settings: { resourceIndicators: false } }) { slug } }`);
  assert.equal((await gqlOk(srv, q)).tenant.settings.resourceIndicators, false);
  const meta = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  assert.equal(meta.resource_indicators_supported, undefined);
});

const FILE = `slug: rs-file
displayName: RS File
resourceServers:
  - identifier: https://api.rs-file.example
    name: API
    scopes: [api:read, api:write]
  - identifier: https://reports.rs-file.example
    scopes: [reports:read]
    accessTokenFormat: OPAQUE
    accessTokenTtl: 600
    allowedClients: [reporting]
`;

test('tenant files: resourceServers are planned, applied and exported back; a second plan is empty', async () => {
  const api = await connectAdminApi({ url: srv.url, clientId: ADMIN_ID, clientSecret: ADMIN_SECRET });
  const file = parseTenantFile(FILE);
  const plan = planTenant(file, await fetchTenant(api, 'rs-file'));
  assert.deepEqual(
    plan.map((c) => `${c.op} ${c.kind} ${c.id}`),
    ['+ tenant rs-file', '+ resourceServer https://api.rs-file.example', '+ resourceServer https://reports.rs-file.example'],
  );
  await applyChanges(api, plan);
  const current = await fetchTenant(api, 'rs-file');
  assert.deepEqual(planTenant(file, current), []);
  assert.deepEqual(exportTenant(current!).resourceServers, file.resourceServers);

  const changed = parseTenantFile(FILE.replace('accessTokenTtl: 600', 'accessTokenTtl: 900'));
  const update = planTenant(changed, current);
  assert.deepEqual(
    update.map((c) => [c.op, c.id, c.details]),
    [['~', 'https://reports.rs-file.example', ['accessTokenTtl: 600 → 900']]],
  );
  await applyChanges(api, update);
  const pruned = planTenant(parseTenantFile('slug: rs-file\ndisplayName: RS File\n'), await fetchTenant(api, 'rs-file'), { prune: true });
  assert.deepEqual(
    pruned.map((c) => `${c.op} ${c.id}`),
    ['- https://api.rs-file.example', '- https://reports.rs-file.example'],
  );
});

test('tenant files: a bad resource server is reported at its line', () => {
  const bad = `slug: rs-bad\ndisplayName: Bad\nresourceServers:\n  - identifier: https://x.example\n  - identifier: https://x.example\n  - identifier: not-a-uri\n`;
  assert.throws(
    () => parseTenantFile(bad, 'bad.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof TenantFileError);
      assert.deepEqual(
        err.problems.map((p) => [p.line, p.path]),
        [
          [5, 'resourceServers[1].identifier'],
          [6, 'resourceServers[2].identifier'],
        ],
      );
      return true;
    },
  );
});

let cachedToken: string | undefined;
async function adminTokenOnce(): Promise<string> {
  cachedToken ??= await adminToken(srv);
  return cachedToken;
}
