import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SHIELD_LIMITS } from '../src/admin/shield.js';
import { adminToken, createTenant, gql } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** The admin API's shield (graphql-armor): abusive operations are refused with HTTP 400 and a code, before any resolver runs. */
let srv: TestServer;
let token: string;

before(async () => {
  srv = await startTestServer({ label: 'shield' });
  token = await adminToken(srv);
  await createTenant(srv, 'shielded');
});
after(() => srv?.close());

function refused(r: Awaited<ReturnType<typeof gql>>): void {
  assert.equal(r.status, 400);
  assert.equal(r.data, undefined);
  assert.ok(r.errors?.length, 'an error is reported');
  assert.match(String(r.errors[0]?.extensions?.code), /^GRAPHQL_(VALIDATION|PARSE)_FAILED$/);
}

test('1,000 aliases of one field are refused; the limit itself is accepted', async () => {
  const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: tenant(slug: "shielded") { slug }`).join(' ')} }`;
  refused(await gql(srv, aliases(1000), {}, token));
  const overLimit = await gql(srv, aliases(SHIELD_LIMITS.maxAliases + 1), {}, token);
  refused(overLimit);
  assert.equal(overLimit.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  const ok = await gql(srv, aliases(SHIELD_LIMITS.maxAliases), {}, token);
  assert.equal(ok.errors, undefined);
  assert.equal((ok.data as Record<string, { slug: string }>).a0?.slug, 'shielded');
});

test('a query nested deeper than the limit is refused; introspection still works', async () => {
  const deep = await gql(
    srv,
    '{ tenants { edges { node { clients { edges { node { tenant { clients { edges { node { tenant { clients { edges { node { clientId } } } } } } } } } } } } } } }',
    {},
    token,
  );
  refused(deep);
  const intro = await gql(
    srv,
    '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }',
    {},
    token,
  );
  assert.equal(intro.errors, undefined);
});

test('a query that would fetch too many objects is refused', async () => {
  refused(
    await gql(
      srv,
      '{ tenants(first: 100) { edges { node { users(first: 100) { edges { node { id username } } } clients(first: 100) { edges { node { clientId } } } } } } }',
      {},
      token,
    ),
  );
});

test('too many tokens and too many directives are refused', async () => {
  refused(await gql(srv, `{ tenants { edges { node { ${'slug '.repeat(SHIELD_LIMITS.maxTokens)} } } } }`, {}, token));
  refused(
    await gql(srv, `{ tenants { pageInfo { hasNextPage ${'@include(if: true) '.repeat(SHIELD_LIMITS.maxDirectives + 1)} } } }`, {}, token),
  );
});

test('no field suggestions: not to anonymous callers, and not to admins either', async () => {
  const typo = '{ tenantz { edges { node { slug } } } }';
  const anonymous = await gql(srv, typo, {}, null);
  assert.equal(anonymous.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  assert.doesNotMatch(JSON.stringify(anonymous), /did you mean|tenants/i);
  const admin = await gql(srv, typo, {}, token);
  assert.equal(admin.status, 400);
  assert.equal(admin.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.doesNotMatch(JSON.stringify(admin.errors), /did you mean|"tenants"/i);
});
