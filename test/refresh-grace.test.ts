/**
 * Refresh token rotation grace (issue 11 item 5): per tenant
 * `refreshTokenReuseGraceSeconds` (default 0 = strict rotation). Within the window after
 * a rotation, the client that holds the rotated-out token may present it again (its
 * response was lost) and gets a new token set in the same family; outside it, or from
 * another client, reuse revokes the family as before. A 2 s window keeps the test short.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseTenantFile } from '../src/tenant-files/tenant-file.js';
import { connectAdminApi } from '../scripts/lib/admin-api.js';
import { exportTenant } from '../scripts/lib/tenant-export.js';
import { applyChanges, planTenant } from '../scripts/lib/tenant-plan.js';
import { fetchTenant } from '../scripts/lib/tenant-state.js';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { issueCode, redeem, tokenRequest, userinfo } from './helpers/issue.js';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from './helpers/server.js';
import { revoke } from './helpers/token-services.js';

const GRACE = 2;
const T = 'graceful';
let srv: TestServer;
let alice: string;
let web: [string, string];
let other: [string, string];

const FILE = (grace: number) => `slug: ${T}
displayName: Graceful
settings:
  refreshTokenReuseGraceSeconds: ${grace}
`;

before(async () => {
  srv = await startTestServer({ label: 'refresh-grace' });
  // The grace tenant is made from a tenant file, through plan and apply as scripts/onboard.ts does.
  const api = await connectAdminApi({ url: srv.url, clientId: ADMIN_ID, clientSecret: ADMIN_SECRET });
  await applyChanges(api, planTenant(parseTenantFile(FILE(GRACE)), await fetchTenant(api, T)));
  alice = await createUser(srv, T, 'alice', 'correct horse battery');
  const w = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  web = [w.clientId, w.clientSecret!];
  const o = await createClient(srv, T, { name: 'other', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  other = [o.clientId, o.clientSecret!];
});
after(() => srv.close());

async function offlineTokens(): Promise<Record<string, any>> {
  const c = await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: ['openid', 'offline_access'], offlineAccess: true });
  const r = await redeem(srv, T, c, web);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const refresh = (token: string, auth: [string, string] = web) =>
  tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: token }, auth);

describe('the setting', () => {
  test('defaults to 0 (strict), is validated (0-300), and a tenant file plans, applies and exports it', async () => {
    await createTenant(srv, 'strict');
    const s = await gqlOk<{ tenant: { settings: { refreshTokenReuseGraceSeconds: number } } }>(
      srv,
      '{ tenant(slug: "strict") { settings { refreshTokenReuseGraceSeconds } } }',
    );
    assert.equal(s.tenant.settings.refreshTokenReuseGraceSeconds, 0);
    for (const bad of [-1, 301]) {
      const r = await gql(
        srv,
        'mutation($v: Int) { updateTenant(slug: "strict", input: { settings: { refreshTokenReuseGraceSeconds: $v } }) { slug } }',
        { v: bad },
        await adminToken(srv),
      );
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.equal(r.errors?.[0]?.extensions?.field, 'refreshTokenReuseGraceSeconds');
    }
    assert.throws(() => parseTenantFile(FILE(301)), /refreshTokenReuseGraceSeconds/);

    const api = await connectAdminApi({ url: srv.url, clientId: ADMIN_ID, clientSecret: ADMIN_SECRET });
    const current = await fetchTenant(api, T);
    assert.equal(current?.settings.refreshTokenReuseGraceSeconds, GRACE);
    assert.equal(exportTenant(current!).settings?.refreshTokenReuseGraceSeconds, GRACE);
    assert.deepEqual(planTenant(parseTenantFile(FILE(GRACE)), current), [], 'applied: nothing left to change');
    const change = planTenant(parseTenantFile(FILE(5)), current);
    assert.equal(change.length, 1);
    assert.ok(change[0]!.details.some((d) => d.includes('refreshTokenReuseGraceSeconds')));
  });
});

describe('within the grace window', () => {
  test('the rotated-out token again: a new token set in the same family, which stays usable', async () => {
    const t1 = await offlineTokens();
    const lost = await refresh(t1.refresh_token);
    assert.equal(lost.status, 200);
    const retry = await refresh(t1.refresh_token);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.ok(retry.body.access_token && retry.body.refresh_token && retry.body.id_token);
    assert.notEqual(
      retry.body.refresh_token,
      lost.body.refresh_token,
      'a fresh successor (tokens are sealed, none is stored to hand out twice)',
    );
    assert.equal((await userinfo(srv, T, retry.body.access_token)).status, 200);
    assert.equal((await refresh(retry.body.refresh_token)).status, 200);
  });

  test('two parallel refreshes with one token both succeed', async () => {
    const t1 = await offlineTokens();
    const results = await Promise.all([refresh(t1.refresh_token), refresh(t1.refresh_token)]);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200],
    );
  });

  test('another client presenting it revokes the family', async () => {
    const t1 = await offlineTokens();
    const next = await refresh(t1.refresh_token);
    assert.equal(next.status, 200);
    const stolen = await refresh(t1.refresh_token, other);
    assert.equal(stolen.body.error, 'invalid_grant');
    assert.equal((await refresh(next.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal((await userinfo(srv, T, next.body.access_token)).status, 401);
  });

  test('a revoked family stays revoked', async () => {
    const t1 = await offlineTokens();
    const next = await refresh(t1.refresh_token);
    assert.equal((await revoke(srv, T, next.body.refresh_token, web)).status, 200);
    assert.equal((await refresh(t1.refresh_token)).body.error, 'invalid_grant');
  });
});

test('after the window, reuse revokes the family as with strict rotation', async () => {
  const t1 = await offlineTokens();
  const next = await refresh(t1.refresh_token);
  assert.equal(next.status, 200);
  srv.clock.advance(GRACE * 1000 + 300);
  const late = await refresh(t1.refresh_token);
  assert.equal(late.status, 400);
  assert.equal(late.body.error, 'invalid_grant');
  assert.equal((await refresh(next.body.refresh_token)).body.error, 'invalid_grant');
  assert.equal((await userinfo(srv, T, next.body.access_token)).status, 401);
});
