import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { decodePayload, issueCode, redeem, rp, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let alice: string;
const T = 'acme';
let web: [string, string];
let other: [string, string];
let spaId: string;

before(async () => {
  srv = await startTestServer({ label: 'token-refresh' });
  await createTenant(srv, T);
  alice = await createUser(srv, T, 'alice', 'correct horse battery', { name: 'Alice', email: 'alice@example.com' });
  const w = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  web = [w.clientId, w.clientSecret!];
  const o = await createClient(srv, T, { name: 'other', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  other = [o.clientId, o.clientSecret!];
  spaId = (await createClient(srv, T, { name: 'spa', clientType: 'PUBLIC', redirectUris: ['http://localhost:5173/cb'] })).clientId;
});
after(() => srv.close());

const SCOPES = ['openid', 'profile', 'email', 'offline_access'];

async function offlineTokens(clientAuth: [string, string] = web, scopes = SCOPES) {
  const c = await issueCode(srv, T, { clientId: clientAuth[0], userId: alice, scopes, offlineAccess: true });
  const r = await redeem(srv, T, c, clientAuth);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.refresh_token);
  return r.body;
}

const refresh = (token: string, auth: [string, string] = web, extra: Record<string, string> = {}) =>
  tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: token, ...extra }, auth);

test('openid-client refreshes: a new refresh token every time, and a fresh ID token without nonce', async () => {
  const config = await rp(srv, T, web[0], { client_secret: web[1] }, oidc.ClientSecretBasic(web[1]));
  const c = await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: SCOPES, offlineAccess: true });
  const first = await oidc.authorizationCodeGrant(config, c.callback, {
    pkceCodeVerifier: c.verifier,
    expectedNonce: c.nonce,
    idTokenExpected: true,
  });
  const firstClaims = first.claims()!;
  const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
  assert.ok(second.refresh_token);
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  const claims = second.claims()!;
  assert.equal(claims.sub, firstClaims.sub);
  assert.equal(claims.auth_time, firstClaims.auth_time);
  assert.equal(claims.nonce, undefined);
  assert.equal(second.scope, SCOPES.join(' '));
  const third = await oidc.refreshTokenGrant(config, second.refresh_token!);
  assert.ok(third.access_token);
  assert.equal((await userinfo(srv, T, third.access_token)).status, 200);
});

test('presenting a rotated-out refresh token revokes the whole family', async () => {
  const t1 = await offlineTokens();
  const r2 = await refresh(t1.refresh_token);
  assert.equal(r2.status, 200);
  const r3 = await refresh(r2.body.refresh_token);
  assert.equal(r3.status, 200);
  // The attacker (or a confused client) replays the first token.
  const replay = await refresh(t1.refresh_token);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, 'invalid_grant');
  // Everything of the family is dead now: the newest refresh token and every access token.
  assert.equal((await refresh(r3.body.refresh_token)).body.error, 'invalid_grant');
  for (const at of [t1.access_token, r2.body.access_token, r3.body.access_token]) {
    const info = await userinfo(srv, T, at);
    assert.equal(info.status, 401);
    assert.match(info.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
});

test('two parallel refreshes with one token: at most one succeeds, and the family is revoked', async () => {
  const t1 = await offlineTokens();
  const results = await Promise.all([refresh(t1.refresh_token), refresh(t1.refresh_token)]);
  assert.ok(results.filter((r) => r.status === 200).length <= 1);
  for (const r of results.filter((x) => x.status !== 200)) assert.equal(r.body.error, 'invalid_grant');
  const winner = results.find((r) => r.status === 200);
  if (winner) {
    assert.equal((await refresh(winner.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal((await userinfo(srv, T, winner.body.access_token)).status, 401);
  }
});

test('narrowing scope is allowed, widening is invalid_scope', async () => {
  const t1 = await offlineTokens(web, ['openid', 'email', 'offline_access']);
  const narrow = await refresh(t1.refresh_token, web, { scope: 'openid email' });
  assert.equal(narrow.status, 200);
  assert.equal(narrow.body.scope, 'openid email');
  assert.equal(decodePayload(narrow.body.access_token).scope, 'openid email');
  // The new refresh token keeps the original grant: the next refresh may ask for all of it again.
  const back = await refresh(narrow.body.refresh_token);
  assert.equal(back.status, 200);
  assert.equal(back.body.scope, 'openid email offline_access');
  const wide = await refresh(back.body.refresh_token, web, { scope: 'openid email profile' });
  assert.equal(wide.status, 400);
  assert.equal(wide.body.error, 'invalid_scope');
  // A refused widening does not burn the token.
  assert.equal((await refresh(back.body.refresh_token)).status, 200);
});

test('without openid in the narrowed scope there is no ID token', async () => {
  const t1 = await offlineTokens(web, ['openid', 'email', 'offline_access']);
  const r = await refresh(t1.refresh_token, web, { scope: 'email' });
  assert.equal(r.status, 200);
  assert.equal(r.body.id_token, undefined);
  assert.ok(r.body.refresh_token);
});

test("client B cannot use client A's refresh token", async () => {
  const t1 = await offlineTokens();
  const r = await refresh(t1.refresh_token, other);
  assert.equal(r.body.error, 'invalid_grant');
});

test('a public client refreshes with auth method none and its refresh token rotates too', async () => {
  const c = await issueCode(srv, T, { clientId: spaId, userId: alice, scopes: ['openid', 'offline_access'], offlineAccess: true });
  const r = await tokenRequest(srv, T, {
    grant_type: 'authorization_code',
    code: c.code,
    redirect_uri: c.redirectUri,
    code_verifier: c.verifier,
    client_id: spaId,
  });
  assert.equal(r.status, 200);
  const r2 = await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: r.body.refresh_token, client_id: spaId });
  assert.equal(r2.status, 200);
  assert.notEqual(r2.body.refresh_token, r.body.refresh_token);
  const replay = await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: r.body.refresh_token, client_id: spaId });
  assert.equal(replay.body.error, 'invalid_grant');
  assert.equal(
    (await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: r2.body.refresh_token, client_id: spaId })).body.error,
    'invalid_grant',
  );
});

test('unknown, missing and expired refresh tokens', async () => {
  assert.equal((await refresh('not-a-token')).body.error, 'invalid_grant');
  assert.equal((await tokenRequest(srv, T, { grant_type: 'refresh_token' }, web)).body.error, 'invalid_request');
  await createTenant(srv, 'short', 'Short', { settings: { refreshTokenTtl: 1 } });
  const u = await createUser(srv, 'short', 'carol', 'correct horse battery');
  const sc = await createClient(srv, 'short', { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  const c = await issueCode(srv, 'short', { clientId: sc.clientId, userId: u, scopes: ['openid', 'offline_access'], offlineAccess: true });
  const r = await redeem(srv, 'short', c, [sc.clientId, sc.clientSecret!]);
  assert.equal(r.status, 200);
  srv.clock.advance(1300);
  const expired = await tokenRequest(srv, 'short', { grant_type: 'refresh_token', refresh_token: r.body.refresh_token }, [
    sc.clientId,
    sc.clientSecret!,
  ]);
  assert.equal(expired.body.error, 'invalid_grant');
});

test('a client without the refresh_token grant type gets no refresh token and cannot refresh', async () => {
  const c = await createClient(srv, T, {
    name: 'code-only',
    clientType: 'CONFIDENTIAL',
    redirectUris: ['https://rp.example.com/cb'],
    grantTypes: ['authorization_code'],
  });
  const code = await issueCode(srv, T, { clientId: c.clientId, userId: alice, scopes: ['openid', 'offline_access'], offlineAccess: true });
  const r = await redeem(srv, T, code, [c.clientId, c.clientSecret!]);
  assert.equal(r.status, 200);
  assert.equal(r.body.refresh_token, undefined);
  const t1 = await offlineTokens();
  assert.equal((await refresh(t1.refresh_token, [c.clientId, c.clientSecret!])).body.error, 'unauthorized_client');
});

test('disabling the user stops its refresh tokens at once, though the user record is cached', async () => {
  const carol = await createUser(srv, T, 'carol-refresh', 'correct horse battery', { email: 'carol@example.com' });
  const c = await issueCode(srv, T, { clientId: web[0], userId: carol, scopes: SCOPES, offlineAccess: true });
  const first = await redeem(srv, T, c, web);
  // Two refreshes: the second one is served from the warm user and grant caches.
  const second = await refresh(first.body.refresh_token);
  const third = await refresh(second.body.refresh_token);
  assert.equal(third.status, 200);
  await gqlOk(srv, `mutation($id: ID!) { disableUser(tenant: "${T}", id: $id) { disabled } }`, { id: carol });
  const refused = await refresh(third.body.refresh_token);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'invalid_grant');
  assert.equal((await userinfo(srv, T, third.body.access_token)).status, 401);
});

test('a user change made through the store is seen by the next refresh (cache evicted)', async () => {
  const dave = await createUser(srv, T, 'dave-refresh', 'correct horse battery', { name: 'Dave', email: 'dave@example.com' });
  const c = await issueCode(srv, T, { clientId: web[0], userId: dave, scopes: SCOPES, offlineAccess: true });
  const first = await redeem(srv, T, c, web);
  const warm = await refresh(first.body.refresh_token);
  assert.equal((await userinfo(srv, T, warm.body.access_token)).body.name, 'Dave');
  await gqlOk(
    srv,
    `mutation($id: ID!) { updateUser(tenant: "${T}", id: $id, input: { claims: { name: "David", email: "dave@example.com" } }) { id } }`,
    { id: dave },
  );
  const after = await refresh(warm.body.refresh_token);
  assert.equal((await userinfo(srv, T, after.body.access_token)).body.name, 'David');
  assert.equal((await userinfo(srv, T, warm.body.access_token)).body.name, 'David');
});

test('revoking the consent stops a refresh token whose grant is cached', async () => {
  const t1 = await offlineTokens();
  const t2 = await refresh(t1.refresh_token);
  assert.equal(t2.status, 200);
  await gqlOk(srv, `mutation($u: ID!, $c: String!) { revokeConsent(tenant: "${T}", userId: $u, clientId: $c) }`, { u: alice, c: web[0] });
  const refused = await refresh(t2.body.refresh_token);
  assert.equal(refused.body.error, 'invalid_grant');
});

test('a refresh token presented by another client is refused and spent', async () => {
  const t1 = await offlineTokens();
  const wrong = await refresh(t1.refresh_token, other);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  // It leaked to another client: the holder cannot use it either (it is spent, and its family revoked on reuse).
  assert.equal((await refresh(t1.refresh_token)).body.error, 'invalid_grant');
});

test('refresh tokens are sealed, not stored: issuing writes nothing, spending stores only a keyed hash', async () => {
  const spent = srv.db.collection('refresh_tokens');
  const before = await spent.countDocuments({});
  const t1 = await offlineTokens();
  assert.equal(await spent.countDocuments({}), before, 'issuing a refresh token writes nothing');
  const t2 = await refresh(t1.refresh_token);
  assert.equal(t2.status, 200);
  const docs = await spent.find({}).toArray();
  assert.equal(docs.length, before + 1, 'spending it stores one record');
  const raw = JSON.stringify(docs);
  assert.ok(!raw.includes(t1.refresh_token) && !raw.includes(t2.body.refresh_token), 'no refresh token in clear');
});

test('a refresh token is bound to its tenant, and an altered one is unknown', async () => {
  await createTenant(srv, 'acme-two');
  const w2 = await createClient(srv, 'acme-two', { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  const t1 = await offlineTokens();
  const elsewhere = await tokenRequest(srv, 'acme-two', { grant_type: 'refresh_token', refresh_token: t1.refresh_token }, [
    w2.clientId,
    w2.clientSecret!,
  ]);
  assert.equal(elsewhere.body.error, 'invalid_grant');
  const token = t1.refresh_token as string;
  const i = Math.floor(token.length / 2);
  const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
  assert.equal((await refresh(altered)).body.error, 'invalid_grant');
  assert.equal((await refresh(`${token}x`)).body.error, 'invalid_grant');
  // Neither attempt spent the real one.
  assert.equal((await refresh(token)).status, 200);
});
