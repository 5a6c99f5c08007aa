/**
 * Admin credentials are revocable (issue 11 item 1): /graphql resolves its bearer token
 * through the same path as userinfo and introspection, so a revoked token, one whose
 * client was deleted, or one whose client lost the admin scope it carries is
 * UNAUTHENTICATED on every replica within GATEHOUSE_CACHE_SYNC_SECONDS (0.2 s here); and
 * while the database is away a replica fails closed (503 SERVICE_UNAVAILABLE).
 *
 * Two replicas on a database of this file's own (test/helpers/fault-db.ts), so it can be
 * frozen at the end without disturbing other files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminToken, clientCredentials, createClient, createTenant, gql, gqlOk } from './helpers/admin.js';
import { startFaultDatabase, startServerOn, within, type FaultDatabase } from './helpers/fault-db.js';
import { ADMIN_ID, ADMIN_SECRET, testDatabaseName, type TestServer } from './helpers/server.js';

/** The servers' GATEHOUSE_CACHE_SYNC_SECONDS (test/helpers/server.ts), in ms. */
const SYNC_MS = 200;
/**
 * After this long every replica must refuse: an admin request is answered only from a
 * revocation state confirmed by a poll that started at most SYNC_MS ago, so a poll that
 * started after the change returned. No retry loop: the bound itself is under test. The
 * replicas share one clock, moved past the bound instead of sleeping through it.
 */
const pastTheBound = () => a.clock.advance(SYNC_MS + 100);

const TENANT = 'query($slug: String!) { tenant(slug: $slug) { slug } }';
const TENANTS = '{ tenants(first: 5) { edges { node { slug } } } }';

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

let db: FaultDatabase;
let a: TestServer;
let b: TestServer;

before(async () => {
  db = await startFaultDatabase({ label: 'adminrev' });
  const dbName = testDatabaseName('adminrev');
  const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 11).toString('base64') };
  a = await startServerOn(db, { dbName, env });
  // Replicas behind one public URL: a token either issues is valid at both.
  b = await startServerOn(db, { dbName, clock: a.clock, env: { ...env, PUBLIC_URL: a.url } });
  await createTenant(a, 'acme');
});
after(async () => {
  db?.thaw();
  await a?.close();
  await b?.close();
  await db?.stop();
});

/** A confidential client of `system` with these scopes, and a token for all of them. */
async function adminClient(scopes: string[]): Promise<{ clientId: string; secret: string; token: string }> {
  const c = await createClient(a, 'system', {
    name: `admin ${scopes.join(' ')}`,
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes,
  });
  const secret = c.clientSecret!;
  return { clientId: c.clientId, secret, token: await adminToken(a, scopes.join(' '), c.clientId, secret) };
}

describe('a revoked admin token', () => {
  test('RFC 7009 at /t/system/revoke: refused at once where revoked, on the other replica within the sync interval', async () => {
    const token = await adminToken(a);
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, token)), undefined, 'works on both replicas before');
    const res = await fetch(`${a.url}/t/system/revoke`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ADMIN_ID}:${ADMIN_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    assert.equal(res.status, 200);
    const onA = await gql(a, TENANT, { slug: 'acme' }, token);
    assert.equal(onA.status, 401);
    assert.equal(code(onA), 'UNAUTHENTICATED');
    pastTheBound();
    const onB = await gql(b, TENANT, { slug: 'acme' }, token);
    assert.equal(code(onB), 'UNAUTHENTICATED');
    assert.equal(onB.data?.tenant ?? null, null);
    // Other tokens of the same client are unaffected.
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, await adminToken(a))), undefined);
  });

  test('revokeTokens(tenant: "system", clientId) revokes every token of a system client, JWTs included', async () => {
    const c = await adminClient(['admin']);
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), undefined);
    const r = await gqlOk<{ revokeTokens: { grants: number; accessTokens: number; revokedBefore: string | null } }>(
      a,
      'mutation($id: String!) { revokeTokens(tenant: "system", clientId: $id) { grants accessTokens revokedBefore } }',
      { id: c.clientId },
    );
    assert.ok(r.revokeTokens.revokedBefore, 'the cut-off is reported: JWTs are not stored, so not counted');
    assert.equal(code(await gql(a, TENANTS, {}, c.token)), 'UNAUTHENTICATED');
    pastTheBound();
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), 'UNAUTHENTICATED');
    // The client itself may still get new tokens.
    const fresh = await adminToken(a, 'admin', c.clientId, c.secret);
    assert.equal(code(await gql(b, TENANTS, {}, fresh)), undefined);
  });
});

describe('an admin token whose client changed', () => {
  test('deleteClient of a platform admin client: its token is refused on both replicas', async () => {
    const c = await adminClient(['admin']);
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), undefined);
    await gqlOk(a, 'mutation($id: String!) { deleteClient(tenant: "system", clientId: $id) }', { id: c.clientId });
    assert.equal(code(await gql(a, TENANTS, {}, c.token)), 'UNAUTHENTICATED');
    pastTheBound();
    const r = await gql(b, 'mutation { updateTenant(slug: "acme", input: { displayName: "Taken over" }) { slug } }', {}, c.token);
    assert.equal(code(r), 'UNAUTHENTICATED');
    assert.equal(
      (await gqlOk<{ tenant: { displayName: string } }>(a, '{ tenant(slug: "acme") { displayName } }')).tenant.displayName,
      'Tenant acme',
    );
  });

  test('deleteClient of a tenant-admin:{slug} client', async () => {
    const c = await adminClient(['tenant-admin:acme']);
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, c.token)), undefined);
    await gqlOk(a, 'mutation($id: String!) { deleteClient(tenant: "system", clientId: $id) }', { id: c.clientId });
    pastTheBound();
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, c.token)), 'UNAUTHENTICATED');
  });

  test('disableClient: its tokens are refused, it cannot get new ones; enabled again, old tokens stay revoked', async () => {
    const c = await adminClient(['admin']);
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), undefined);
    const d = await gqlOk<{ disableClient: { disabled: boolean } }>(
      a,
      'mutation($id: String!) { disableClient(tenant: "system", clientId: $id) { disabled } }',
      { id: c.clientId },
    );
    assert.equal(d.disableClient.disabled, true);
    assert.equal(code(await gql(a, TENANTS, {}, c.token)), 'UNAUTHENTICATED');
    pastTheBound();
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), 'UNAUTHENTICATED');
    for (const srv of [a, b]) {
      const res = await clientCredentials(srv, 'system', c.clientId, c.secret, { scope: 'admin' });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    }
    await gqlOk(a, 'mutation($id: String!) { enableClient(tenant: "system", clientId: $id) { disabled } }', { id: c.clientId });
    pastTheBound();
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), 'UNAUTHENTICATED', 'revoked when disabled, not brought back');
    assert.equal(code(await gql(b, TENANTS, {}, await adminToken(b, 'admin', c.clientId, c.secret))), undefined);
  });

  test('a client whose scopes no longer include the tenant-admin scope its token carries', async () => {
    const c = await adminClient(['tenant-admin:acme']);
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, c.token)), undefined);
    await gqlOk(
      a,
      'mutation($id: String!) { updateClient(tenant: "system", clientId: $id, input: { scopes: ["tenant-admin:other"] }) { clientId } }',
      { id: c.clientId },
    );
    pastTheBound();
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, c.token)), 'UNAUTHENTICATED');
    assert.equal(code(await gql(a, TENANT, { slug: 'acme' }, c.token)), 'UNAUTHENTICATED');
  });

  test('a client that lost admin but kept tenant-admin:acme: its token is only a tenant admin now', async () => {
    const c = await adminClient(['admin', 'tenant-admin:acme']);
    assert.equal(code(await gql(b, TENANTS, {}, c.token)), undefined);
    await gqlOk(
      a,
      'mutation($id: String!) { updateClient(tenant: "system", clientId: $id, input: { scopes: ["tenant-admin:acme"] }) { clientId } }',
      { id: c.clientId },
    );
    pastTheBound();
    assert.equal(
      code(await gql(b, 'mutation { createTenant(input: { slug: "mine", displayName: "Mine" }) { tenant { slug } } }', {}, c.token)),
      'FORBIDDEN',
    );
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, c.token)), undefined);
  });
});

describe('while the database is away', () => {
  test('admin access fails closed: 503 SERVICE_UNAVAILABLE within about 2 s, then recovers', async () => {
    const token = await adminToken(a);
    assert.equal(code(await gql(b, TENANT, { slug: 'acme' }, token)), undefined);
    const introspect = () =>
      fetch(`${b.url}/t/system/introspect`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${ADMIN_ID}:${ADMIN_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }),
        signal: AbortSignal.timeout(3_000),
      });
    assert.equal(((await (await introspect()).json()) as { active: boolean }).active, true);
    db.freeze();
    try {
      pastTheBound();
      // Public endpoints choose availability: a warm introspection answers from memory (docs/token-services.md).
      const res = await introspect();
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { active: boolean }).active, true);
      for (const srv of [a, b]) {
        // Within the budget or not at all (the client gives up at 3 s): the 503 is the assertion.
        const value = await within(3_000, () => gql(srv, TENANT, { slug: 'acme' }, token));
        assert.ok(!(value instanceof Error), value instanceof Error ? value.message : 'ok');
        assert.equal(value.status, 503);
        assert.equal(code(value), 'SERVICE_UNAVAILABLE');
        assert.equal(value.data?.tenant ?? null, null);
      }
    } finally {
      db.thaw();
    }
    const until = Date.now() + 15_000;
    let last = await gql(b, TENANT, { slug: 'acme' }, token);
    while (code(last) !== undefined && Date.now() < until) {
      await sleep(100);
      last = await gql(b, TENANT, { slug: 'acme' }, token);
    }
    assert.equal(code(last), undefined, 'recovers without a restart');
  });
});
