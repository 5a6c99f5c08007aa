import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminToken, gql, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
before(async () => {
  srv = await startTestServer({ label: 'audit' });
  token = await adminToken(srv);
});
after(() => srv.close());

const ok = <T = Record<string, any>>(q: string, v: Record<string, unknown> = {}) => gqlOk<T>(srv, q, v, token);
const PASSWORD = 'a-very-secret-password-1';
const NEW_PASSWORD = 'another-secret-password-2';

const EVENT = 'id at actorClientId actorPlatformAdmin tenant operation targetType targetId outcome errorCode arguments before after';

test('every mutation leaves an audit event: who, tenant, what, when, before/after — never a secret', async () => {
  const secrets: string[] = [PASSWORD, NEW_PASSWORD];
  /** Server time before the first mutation: every event's `at` lies between it and the end. */
  const startedAt = srv.clock.now();
  const created = await ok(
    `mutation { createTenant(input: {slug: "aud", displayName: "Audited", clients: [{clientId: "first", name: "first", clientType: CONFIDENTIAL, redirectUris: ["https://a.example/cb"]}]}) { clients { clientSecret } } }`,
  );
  secrets.push(created.createTenant.clients[0].clientSecret);
  await ok('mutation { updateTenant(slug: "aud", input: {displayName: "Audited 2", settings: {accessTokenTtl: 600}}) { slug } }');
  const c = await ok(
    'mutation { createClient(tenant: "aud", input: {clientId: "web", name: "Web", clientType: CONFIDENTIAL, redirectUris: ["https://a.example/cb"]}) { clientSecret } }',
  );
  secrets.push(c.createClient.clientSecret);
  await ok('mutation { updateClient(tenant: "aud", clientId: "web", input: {name: "Web 2"}) { clientId } }');
  const r = await ok('mutation { rotateClientSecret(tenant: "aud", clientId: "web") { clientSecret } }');
  secrets.push(r.rotateClientSecret.clientSecret);
  await ok('mutation { disableClient(tenant: "aud", clientId: "web") { disabled } }');
  await ok('mutation { enableClient(tenant: "aud", clientId: "web") { disabled } }');
  const u = await ok(
    `mutation { createUser(tenant: "aud", input: {username: "ann", password: "${PASSWORD}", claims: {email: "ann@a.example"}}) { id } }`,
  );
  const id = u.createUser.id as string;
  await ok(`mutation { updateUser(tenant: "aud", id: "${id}", input: {claims: {email: "ann2@a.example"}}) { id } }`);
  await ok(`mutation { setUserPassword(tenant: "aud", id: "${id}", password: "${NEW_PASSWORD}") { id } }`);
  await ok(`mutation { disableUser(tenant: "aud", id: "${id}") { id } }`);
  await ok(`mutation { enableUser(tenant: "aud", id: "${id}") { id } }`);
  await ok('mutation { setScope(tenant: "aud", input: {name: "api:read", claims: ["x"]}) { name } }');
  await ok('mutation { deleteScope(tenant: "aud", name: "api:read") }');
  const keys = await ok('{ tenant(slug: "aud") { signingKeys { kid status } } }');
  await ok('mutation { rotateSigningKeys(tenant: "aud") { slug } }');
  await ok(
    `mutation { revokeSigningKey(tenant: "aud", kid: "${keys.tenant.signingKeys.find((k: any) => k.status === 'RETIRED' || k.status === 'ACTIVE').kid}") { slug } }`,
  );
  await ok(`mutation { revokeConsent(tenant: "aud", userId: "${id}", clientId: "web") }`);
  await ok(`mutation { revokeTokens(tenant: "aud", userId: "${id}") { grants } }`);
  const iat = await ok('mutation { createInitialAccessToken(tenant: "aud") }');
  secrets.push(iat.createInitialAccessToken);
  const iats = await ok('{ tenant(slug: "aud") { initialAccessTokens { edges { node { id } } } } }');
  await ok(`mutation { revokeInitialAccessToken(tenant: "aud", id: "${iats.tenant.initialAccessTokens.edges[0].node.id}") { id } }`);
  await ok(
    'mutation { setClaimResolver(tenant: "aud", input: {name: "dept", kind: MAPPING, mapping: {path: "attributes.dept", type: STRING}}) { name } }',
  );
  await ok('mutation { deleteClaimResolver(tenant: "aud", name: "dept") }');
  await ok(
    'mutation { setHook(tenant: "aud", input: {point: AFTER_END_SESSION, kind: WEBHOOK, webhook: {url: "https://hooks.a.example/logout"}}) { point } }',
  );
  await ok('mutation { deleteHook(tenant: "aud", point: AFTER_END_SESSION) }');
  const wh = await ok('mutation { setEventWebhook(tenant: "aud", input: {name: "siem", url: "https://siem.a.example/in"}) { secret } }');
  secrets.push(wh.setEventWebhook.secret);
  const rw = await ok('mutation { rotateEventWebhookSecret(tenant: "aud", name: "siem") { secret } }');
  secrets.push(rw.rotateEventWebhookSecret.secret);
  await ok('mutation { deleteEventWebhook(tenant: "aud", name: "siem") }');
  await ok('mutation { createResourceServer(tenant: "aud", input: {identifier: "https://api.a.example/", name: "API"}) { identifier } }');
  await ok('mutation { updateResourceServer(tenant: "aud", identifier: "https://api.a.example/", input: {name: "API 2"}) { name } }');
  await ok('mutation { deleteResourceServer(tenant: "aud", identifier: "https://api.a.example/") }');
  await ok(`mutation { deleteUser(tenant: "aud", id: "${id}") }`);
  await ok('mutation { deleteClient(tenant: "aud", clientId: "web") }');
  await ok('mutation { deleteTenant(slug: "aud") }');

  const all = await ok(`{ auditEvents(first: 100) { edges { node { ${EVENT} } } } }`);
  const events = all.auditEvents.edges.map((e: any) => e.node).filter((e: any) => e.tenant === 'aud');
  const mutations = (await ok('{ __type(name: "Mutation") { fields { name } } }')).__type.fields.map(
    (f: { name: string }) => f.name,
  ) as string[];
  const seen = new Set(events.map((e: any) => e.operation));
  assert.deepEqual(
    mutations.filter((m) => !seen.has(m)),
    [],
    'mutations without an audit event',
  );
  for (const e of events) {
    assert.equal(e.actorClientId, 'test-admin');
    assert.equal(e.actorPlatformAdmin, true);
    assert.equal(e.outcome, 'SUCCESS');
    const at = new Date(e.at).getTime();
    assert.ok(at >= startedAt - 1_000 && at <= srv.clock.now(), `at ${e.at}`);
  }
  // Newest first.
  assert.equal(events[0].operation, 'deleteTenant');
  assert.deepEqual([...events.map((e: any) => e.id)], [...events.map((e: any) => e.id)].sort().reverse());
  const upd = events.find((e: any) => e.operation === 'updateClient');
  assert.equal(upd.targetType, 'Client');
  assert.equal(upd.targetId, 'web');
  assert.equal(upd.before.name, 'Web');
  assert.equal(upd.after.name, 'Web 2');
  const ten = events.find((e: any) => e.operation === 'updateTenant');
  assert.equal(ten.before.displayName, 'Audited');
  assert.equal(ten.after.settings.accessTokenTtl, 600);
  const del = events.find((e: any) => e.operation === 'deleteTenant');
  assert.equal(del.before.slug, 'aud');
  assert.equal(del.after, null);
  const text = JSON.stringify(events);
  for (const s of secrets) assert.equal(text.includes(s), false, 'a secret reached the audit trail');
  assert.equal(/passwordHash|secretHash|tokenHash|privateKey/.test(text), false);
  // Also in the stored documents, not only in the API's view of them.
  const stored = JSON.stringify(await srv.db.collection('audit_events').find({}).toArray());
  for (const s of secrets) assert.equal(stored.includes(s), false);
  // The trail outlives the tenant and can still be read by its slug.
  const bySlug = await ok('{ auditEvents(tenant: "aud", first: 100) { edges { node { operation } } } }');
  assert.equal(bySlug.auditEvents.edges.length, events.length);
});

test('refused and failed mutations are recorded as failures with their code', async () => {
  await ok('mutation { createTenant(input: {slug: "aud2", displayName: "x"}) { tenant { slug } } }');
  await gql(srv, 'mutation { updateTenant(slug: "aud2", input: {settings: {codeTtl: -1}}) { slug } }', {}, token);
  await gql(srv, 'mutation { deleteClient(tenant: "aud2", clientId: "ghost") }', {}, token);
  const d = await ok(
    '{ tenant(slug: "aud2") { auditEvents(filter: {outcome: FAILURE}) { edges { node { operation outcome errorCode tenant } } } } }',
  );
  assert.deepEqual(
    d.tenant.auditEvents.edges.map((e: any) => [e.node.operation, e.node.errorCode]),
    [['updateTenant', 'BAD_USER_INPUT']],
  );
  const noOp = await ok('{ auditEvents(tenant: "aud2", filter: {operation: "deleteClient"}) { edges { node { outcome after } } } }');
  assert.equal(noOp.auditEvents.edges[0].node.outcome, 'SUCCESS');
});

test('audit events filter by operation, actor, target, time; paginate with stable cursors', async () => {
  for (let i = 0; i < 5; i++) await ok(`mutation { setScope(tenant: "aud2", input: {name: "s${i}"}) { name } }`);
  const since = new Date(Date.now() - 60_000).toISOString();
  const p1 = await ok(
    `{ auditEvents(tenant: "aud2", first: 2, filter: {operation: "setScope", actorClientId: "test-admin", since: "${since}"}) { edges { node { targetId } } pageInfo { hasNextPage endCursor } } }`,
  );
  assert.deepEqual(
    p1.auditEvents.edges.map((e: any) => e.node.targetId),
    ['s4', 's3'],
  );
  const p2 = await ok(
    `query($a: String) { auditEvents(tenant: "aud2", first: 10, after: $a, filter: {operation: "setScope"}) { edges { node { targetId } } pageInfo { hasNextPage } } }`,
    { a: p1.auditEvents.pageInfo.endCursor },
  );
  assert.deepEqual(
    p2.auditEvents.edges.map((e: any) => e.node.targetId),
    ['s2', 's1', 's0'],
  );
  const target = await ok('{ auditEvents(filter: {targetId: "s3"}) { edges { node { operation } } } }');
  assert.equal(target.auditEvents.edges.length, 1);
  const future = await ok(`{ auditEvents(filter: {since: "${new Date(Date.now() + 60_000).toISOString()}"}) { edges { cursor } } }`);
  assert.equal(future.auditEvents.edges.length, 0);
});
