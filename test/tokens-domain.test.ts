/**
 * The tokens domain (src/tokens/, docs/token-services.md "The tokens domain") called
 * directly on a real server and database: the one sweep policy, code reuse detection,
 * refresh token spending, and the one resolution path after a single revocation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SWEEP_EVERY_MS, sweepExpired } from '../src/tenancy/sweeps.js';
import { resolveAccessToken } from '../src/tokens/access-token-resolution.js';
import { issueAccessToken, revokeAccessToken } from '../src/tokens/access-tokens.js';
import { redeemAuthorizationCode } from '../src/tokens/authorization-codes.js';
import { activeAuthorization } from '../src/tokens/authorizations.js';
import { sweepExpiredTokens } from '../src/tokens/expiry-sweep.js';
import { openRefreshToken, spendRefreshToken } from '../src/tokens/refresh-tokens.js';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { issueCode, redeem, tenantOf } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { eventually } from './helpers/token-services.js';

const T = 'tokdomain';
let srv: TestServer;
let alice: string;
let web: [string, string];

before(async () => {
  srv = await startTestServer({ label: 'tokens-domain' });
  await createTenant(srv, T);
  alice = await createUser(srv, T, 'alice', 'correct horse battery');
  const w = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  web = [w.clientId, w.clientSecret!];
});
after(() => srv.close());

test('sweep policy: a chore runs at most once per interval per scope, never on first sight, and per scope', () => {
  const runs: string[] = [];
  const t0 = 1_000_000_000_000;
  const every = SWEEP_EVERY_MS.consents;
  const run = (scope: string, now: number) =>
    sweepExpired('consents', scope, async () => void runs.push(`${scope}@${now}`), undefined, now);
  run('tenant-a', t0); // starts the clock at a random point of the interval
  run('tenant-b', t0);
  assert.deepEqual(runs, []);
  run('tenant-a', t0 + every); // due at the latest one interval after first sight
  assert.equal(runs.length, 1);
  run('tenant-a', t0 + every + every / 2); // not again within the interval
  assert.equal(runs.length, 1);
  run('tenant-a', t0 + 2 * every + 1);
  run('tenant-b', t0 + every);
  assert.deepEqual(runs, [`tenant-a@${t0 + every}`, `tenant-a@${t0 + 2 * every + 1}`, `tenant-b@${t0 + every}`]);
});

test('sweepExpiredTokens removes expired token records when due, and leaves live ones', async () => {
  const tenant = await tenantOf(srv, T);
  const base = { clientId: web[0], redirectUri: 'https://rp.example.com/cb', codeChallenge: null, codeChallengeMethod: null, usedAt: null };
  const past = new Date(Date.now() - 60_000);
  await tenant.store.codes.insert({ ...base, _id: 'expired-code', grantId: 'g1', createdAt: past, expiresAt: past, grant: null });
  const future = new Date(Date.now() + 600_000);
  await tenant.store.codes.insert({ ...base, _id: 'live-code', grantId: 'g2', createdAt: new Date(), expiresAt: future, grant: null });
  const now = Date.now();
  sweepExpiredTokens(tenant, srv.rt.log, now); // first sight of this tenant for a moved clock: starts its interval
  sweepExpiredTokens(tenant, srv.rt.log, now + SWEEP_EVERY_MS.tokens + 1);
  await eventually(async () => (await tenant.store.codes.find('expired-code')) === null);
  assert.ok(await tenant.store.codes.find('live-code'));
});

test('a code redeemed twice: the second redemption gets nothing and revokes the authorization', async () => {
  const tenant = await tenantOf(srv, T);
  const c = await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: ['openid'] });
  const first = await redeemAuthorizationCode(srv.rt, tenant, c.code);
  assert.ok(first);
  assert.ok(await activeAuthorization(srv.rt, tenant, first.grantId));
  assert.equal(await redeemAuthorizationCode(srv.rt, tenant, c.code), null);
  assert.equal(await activeAuthorization(srv.rt, tenant, first.grantId), null);
});

test('refresh tokens: spent once, a second spend is reuse and revokes the family', async () => {
  const tenant = await tenantOf(srv, T);
  const c = await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: ['openid', 'offline_access'], offlineAccess: true });
  const r = await redeem(srv, T, c, web);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const token = r.body.refresh_token as string;
  const claims = openRefreshToken(srv.rt, tenant, token);
  assert.ok(claims);
  assert.equal(await spendRefreshToken(srv.rt, tenant, token, claims, web[0]), 'spent');
  assert.equal(await spendRefreshToken(srv.rt, tenant, token, claims, web[0]), 'reused');
  assert.equal(await activeAuthorization(srv.rt, tenant, claims.grantId), null);
  assert.equal(await resolveAccessToken(srv.rt, tenant, r.body.access_token as string), null, 'the family’s access token is revoked');
});

test('concurrent spends are grouped into one insert, and each still gets its own single-use answer', async () => {
  const tenant = await tenantOf(srv, T);
  const now = new Date();
  const rec = (id: string) => ({
    _id: id,
    grantId: 'g-group',
    clientId: web[0],
    scopes: ['openid'],
    createdAt: now,
    expiresAt: new Date(now.getTime() + 600_000),
    rotatedAt: now,
  });
  await tenant.store.refreshTokens.spend(rec('spent-before'));
  // All at once: while the first insert is in flight the rest queue and go together.
  const ids = ['group-a', 'group-b', 'group-dup', 'group-c', 'group-dup', 'spent-before', 'group-dup', 'group-d'];
  const results = await Promise.all(ids.map((id) => tenant.store.refreshTokens.spend(rec(id))));
  assert.deepEqual(
    ids.filter((id, i) => results[i] && id !== 'group-dup'),
    ['group-a', 'group-b', 'group-c', 'group-d'],
  );
  assert.equal(results.filter((ok, i) => ok && ids[i] === 'group-dup').length, 1, 'one of the three spends of one token wins');
  assert.equal(results[ids.indexOf('spent-before')], false, 'a token spent before stays spent');
  for (const id of ['group-a', 'group-dup', 'spent-before']) assert.ok(await tenant.store.refreshTokens.findSpent(id));
});

test('the expiry sweep removes more than one batch, in steps, and keeps live records', async () => {
  const tenant = await tenantOf(srv, T);
  const base = { clientId: web[0], redirectUri: 'https://rp.example.com/cb', codeChallenge: null, codeChallengeMethod: null, usedAt: null };
  const past = new Date(Date.now() - 60_000);
  for (let i = 0; i < 130; i++)
    await tenant.store.codes.insert({ ...base, _id: `old-${i}`, grantId: 'g', createdAt: past, expiresAt: past, grant: null });
  const future = new Date(Date.now() + 600_000);
  await tenant.store.codes.insert({ ...base, _id: 'still-live', grantId: 'g', createdAt: new Date(), expiresAt: future, grant: null });
  assert.ok((await tenant.store.codes.sweep(new Date())) >= 130);
  assert.equal(await tenant.store.codes.find('old-0'), null);
  assert.equal(await tenant.store.codes.find('old-129'), null);
  assert.ok(await tenant.store.codes.find('still-live'));
});

test('the expiry sweep reads past unexpired records at the head, and each run reads a bounded number of records', async () => {
  const tenant = await tenantOf(srv, T);
  const base = { clientId: web[0], redirectUri: 'https://rp.example.com/cb', codeChallenge: null, codeChallengeMethod: null, usedAt: null };
  const past = new Date(Date.now() - 60_000);
  const future = new Date(Date.now() + 600_000);
  // Long-lived records first (as spent refresh tokens of young families ahead of older ones), then expired ones.
  for (let i = 0; i < 120; i++)
    await tenant.store.codes.insert({
      ...base,
      _id: `head-live-${i}`,
      grantId: 'g',
      createdAt: new Date(),
      expiresAt: future,
      grant: null,
    });
  for (let i = 0; i < 30; i++)
    await tenant.store.codes.insert({ ...base, _id: `tail-old-${i}`, grantId: 'g', createdAt: past, expiresAt: past, grant: null });
  // A run that may read past only 50 unexpired records stops before the expired ones: bounded, and harmless.
  assert.equal(await tenant.store.codes.sweep(new Date(), { maxRead: 50 }), 0);
  assert.ok(await tenant.store.codes.find('tail-old-0'));
  // The default bound reads past all 120 and removes the 30 behind them.
  assert.ok((await tenant.store.codes.sweep(new Date())) >= 30);
  assert.equal(await tenant.store.codes.find('tail-old-29'), null);
  assert.ok(await tenant.store.codes.find('head-live-0'));
  assert.ok(await tenant.store.codes.find('head-live-119'));
});

test('a backlog of expired records is swept by further bounded reads in the same run', async () => {
  // A tenant of its own: no unexpired records ahead of the backlog.
  await createTenant(srv, 'tokbacklog');
  const tenant = await tenantOf(srv, 'tokbacklog');
  const base = { clientId: web[0], redirectUri: 'https://rp.example.com/cb', codeChallenge: null, codeChallengeMethod: null, usedAt: null };
  const past = new Date(Date.now() - 60_000);
  for (let i = 0; i < 130; i++)
    await tenant.store.codes.insert({ ...base, _id: `backlog-${i}`, grantId: 'g', createdAt: past, expiresAt: past, grant: null });
  // Reads of 50: two full reads of expired records, then a third of the remaining 30.
  assert.ok((await tenant.store.codes.sweep(new Date(), { maxRead: 50 })) >= 130);
  assert.equal(await tenant.store.codes.find('backlog-0'), null);
  assert.equal(await tenant.store.codes.find('backlog-129'), null);
  // One read only: at most its 50 go.
  for (let i = 0; i < 80; i++)
    await tenant.store.codes.insert({ ...base, _id: `backlog2-${i}`, grantId: 'g', createdAt: past, expiresAt: past, grant: null });
  assert.equal(await tenant.store.codes.sweep(new Date(), { maxRead: 50, maxReads: 1 }), 50);
  assert.ok(await tenant.store.codes.find('backlog2-79'));
});

test('one resolution: an issued token resolves with its client; revoked, it resolves to nothing', async () => {
  const tenant = await tenantOf(srv, T);
  const client = await srv.rt.clients.find(tenant, web[0]);
  assert.ok(client);
  const issued = await issueAccessToken(srv.rt, tenant, { client, sub: client.clientId, scopes: [] });
  const found = await resolveAccessToken(srv.rt, tenant, issued.token, { client: true });
  assert.equal(found?.client.clientId, web[0]);
  assert.equal(found?.token.jti, issued.jti);
  await revokeAccessToken(srv.rt, tenant, found.token, issued.token);
  assert.equal(await resolveAccessToken(srv.rt, tenant, issued.token), null);
  assert.equal(await resolveAccessToken(srv.rt, tenant, 'not-a-token'), null);
});
