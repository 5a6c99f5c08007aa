import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { issueCode, newVerifier, pkceChallenge, redeem, tenantOf, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';
import { redeemAuthorizationCode } from '../src/tokens/authorization-codes.js';
import type { DriverClient } from '../src/store/index.js';

/*
 * Sealed authorization codes (docs/token-services.md "Authorization codes"): the code
 * carries its record; redeeming it is one insert of its used-record, grouped with
 * concurrent redemptions (store/group-insert.ts), whose unique `_id` makes it single use
 * across replicas. Stored codes (too large to seal, or issued before sealing) still work.
 */

let a: TestServer;
let b: TestServer;
let alice: string;
let web: [string, string];
const T = 'sealed';
const REDIRECT = 'https://rp.example.com/cb';

before(async () => {
  // Two replicas on one database.
  const dbName = testDatabaseName('sealed-codes');
  const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
  a = await startTestServer({ label: 'sealed-a', dbName, env });
  b = await startTestServer({ label: 'sealed-b', dbName, env });
  await createTenant(a, T);
  alice = await createUser(a, T, 'alice', 'correct horse battery', { email: 'alice@example.com' });
  const c = await createClient(a, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: [REDIRECT] });
  web = [c.clientId, c.clientSecret!];
});
after(async () => {
  await a?.close();
  await b?.close();
});

test('a code is sealed: nothing is stored when it is issued, and it is not the 43-character stored form', async () => {
  const codes = a.db.collection('authorization_codes');
  const before = await codes.countDocuments({});
  const c = await issueCode(a, T, { clientId: web[0], userId: alice, scopes: ['openid'] });
  assert.notEqual(c.code.length, 43);
  assert.match(c.code, /^[A-Za-z0-9_-]+$/);
  assert.equal(await codes.countDocuments({}), before);
  // Nothing of the authorization is readable in it (encrypted, not just encoded).
  assert.ok(!Buffer.from(c.code, 'base64url').toString('latin1').includes(alice));
});

test('redeeming a sealed code reads nothing and writes one document: its used-record, by keyed hash', async () => {
  const c = await issueCode(a, T, { clientId: web[0], userId: alice, scopes: ['openid'] });
  // Warm what a running server has in memory (client, user, revocation view) with another code.
  assert.equal((await redeem(a, T, await issueCode(a, T, { clientId: web[0], userId: alice, scopes: ['openid'] }), web)).status, 200);
  const seen: string[] = [];
  const onStarted = (e: CommandStartedEvent): void => {
    const coll = e.command[e.commandName] as unknown;
    // Only the token paths' collections: background jobs (cache polls, outbox) are not the request's.
    if (typeof coll === 'string' && ['authorization_codes', 'grants', 'refresh_tokens', 'users', 'clients'].includes(coll))
      seen.push(`${e.commandName} ${coll}`);
  };
  const clients: DriverClient[] = [];
  const unsubscribe = a.store.onDriverClient((client) => {
    clients.push(client);
    client.on('commandStarted', onStarted);
  });
  try {
    const r = await redeem(a, T, c, web);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  } finally {
    unsubscribe();
    for (const client of clients) client.off('commandStarted', onStarted);
  }
  assert.deepEqual(seen, ['insert authorization_codes']);
  const used = await a.db.collection('authorization_codes').findOne({ _id: a.rt.envelope.hashSecret(c.code) as never });
  assert.ok(used?.usedAt, 'the used-record');
  assert.equal(used?.grant, null, 'the used-record carries no copy of the authorization');
  assert.ok(!JSON.stringify(used).includes(c.code), 'the code itself is never stored');
});

test('a code redeemed at one replica and presented at the other is refused, and revokes what the first issued', async () => {
  const c = await issueCode(a, T, { clientId: web[0], userId: alice, scopes: ['openid', 'offline_access'], offlineAccess: true });
  const first = await redeem(a, T, c, web);
  assert.equal(first.status, 200);
  const second = await redeem(b, T, c, web);
  assert.equal(second.status, 400);
  assert.equal(second.body.error, 'invalid_grant');
  // Revoked at b at once; a learns it from the revocation feed within the sync interval.
  assert.equal((await userinfo(b, T, first.body.access_token)).status, 401);
  const refreshed = await tokenRequest(b, T, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, web);
  assert.equal(refreshed.body.error, 'invalid_grant');
});

test('concurrent redemptions on two replicas: exactly one succeeds', async () => {
  for (let round = 0; round < 3; round++) {
    const c = await issueCode(a, T, { clientId: web[0], userId: alice });
    const results = await Promise.all([a, b, a, b].map((srv) => redeem(srv, T, c, web)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((x) => x.status !== 200)) assert.equal(r.body.error, 'invalid_grant');
  }
});

test('an altered sealed code is unknown (invalid_grant) and spends nothing', async () => {
  const c = await issueCode(a, T, { clientId: web[0], userId: alice });
  const i = Math.floor(c.code.length / 2);
  const altered = c.code.slice(0, i) + (c.code[i] === 'A' ? 'B' : 'A') + c.code.slice(i + 1);
  const r = await redeem(a, T, { ...c, code: altered }, web);
  assert.equal(r.body.error, 'invalid_grant');
  assert.equal((await redeem(a, T, c, web)).status, 200);
});

test('an authorization too large to seal into a URL gets a stored code, redeemed once as before', async () => {
  const claims = { id_token: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`https://claims.example.com/c${i}`, null])) };
  const c = await issueCode(a, T, { clientId: web[0], userId: alice, scopes: ['openid'], claims });
  assert.equal(c.code.length, 43);
  const stored = await a.db.collection('authorization_codes').findOne({ _id: a.rt.envelope.hashSecret(c.code) as never });
  assert.ok(stored && stored.usedAt === null);
  const first = await redeem(b, T, c, web);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const second = await redeem(a, T, c, web);
  assert.equal(second.body.error, 'invalid_grant');
  assert.equal((await userinfo(a, T, first.body.access_token)).status, 401);
});

test('a code stored by a version before sealing (43 characters, in the database) still redeems, once', async () => {
  const tenant = await tenantOf(a, T);
  const verifier = newVerifier();
  const issued = await issueCode(a, T, { clientId: web[0], userId: alice, scopes: ['openid'], codeVerifier: verifier });
  // The authorization the sealed code carries, stored under an old-style code.
  const sealed = await redeemAuthorizationCode(a.rt, tenant, issued.code);
  assert.ok(sealed?.grant);
  const old = 'o'.repeat(43);
  const now = new Date();
  await tenant.store.codes.insert({
    _id: a.rt.envelope.hashSecret(old),
    grantId: sealed.grantId,
    clientId: web[0],
    redirectUri: REDIRECT,
    codeChallenge: pkceChallenge(verifier),
    codeChallengeMethod: 'S256',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 60_000),
    usedAt: null,
    grant: sealed.grant,
  });
  const r = await redeem(b, T, { ...issued, code: old }, web);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await redeem(a, T, { ...issued, code: old }, web)).body.error, 'invalid_grant');
});

test('a used-record lives as long as the code: the expiry sweep removes it with the expired codes', async () => {
  const tenant = await tenantOf(a, T);
  const c = await issueCode(a, T, { clientId: web[0], userId: alice });
  assert.equal((await redeem(a, T, c, web)).status, 200);
  const id = a.rt.envelope.hashSecret(c.code);
  assert.ok(await tenant.store.codes.find(id));
  await tenant.store.codes.sweep(new Date(Date.now() + 61_000));
  assert.equal(await tenant.store.codes.find(id), null);
});
