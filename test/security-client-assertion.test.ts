import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { createClient, createTenant } from './helpers/admin.js';
import { tokenRequest } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Issue 12 finding 7: client assertions need iat and a bounded lifetime (docs/security.md "Client assertions"). */
const T = 'acme';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX = 120;
let srv: TestServer;
let client: { id: string; secret: string };

before(async () => {
  // The setting, lowered from its default of 300 s.
  srv = await startTestServer({ label: 'sec-assertion', env: { GATEHOUSE_CLIENT_ASSERTION_MAX_LIFETIME_SECONDS: String(MAX) } });
  await createTenant(srv, T);
  const c = await createClient(srv, T, {
    name: 'jwt',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api:read'],
    tokenEndpointAuthMethod: 'client_secret_jwt',
  });
  client = { id: c.clientId, secret: c.clientSecret! };
});
after(() => srv.close());

async function assertion(times: { iat?: number | null; exp: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: client.id,
    sub: client.id,
    aud: srv.issuer(T),
    jti: randomBytes(12).toString('base64url'),
    exp: now + times.exp,
  };
  if (times.iat !== null) payload.iat = now + (times.iat ?? 0);
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(client.secret));
}

const present = async (jwt: string) =>
  tokenRequest(srv, T, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt });

test('the attack: an assertion valid for ten years is refused', async () => {
  const r = await present(await assertion({ exp: 10 * 365 * 24 * 3600 }));
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'invalid_client');
});

test('an assertion without iat is refused', async () => {
  const r = await present(await assertion({ iat: null, exp: 60 }));
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'invalid_client');
});

test('exp - iat and exp - now are bounded by the setting; iat must not be in the future', async () => {
  for (const times of [
    { iat: 0, exp: MAX + 60 }, // lives too long from now
    { iat: -3600, exp: 30 }, // issued an hour ago: exp - iat too long
    { iat: 600, exp: 660 }, // issued in the future
  ]) {
    const r = await present(await assertion(times));
    assert.equal(r.status, 401, JSON.stringify(times));
    assert.equal(r.body.error, 'invalid_client');
  }
});

test('short assertions pass, with a small clock skew tolerated', async () => {
  assert.equal((await present(await assertion({ exp: MAX }))).status, 200);
  assert.equal((await present(await assertion({ iat: 20, exp: 80 }))).status, 200, 'iat 20 s ahead: skew');
  assert.equal((await present(await assertion({ iat: -10, exp: 50 }))).status, 200);
});

test('the jti is kept only until the assertion expires', async () => {
  const jwt = await assertion({ exp: 60 });
  assert.equal((await present(jwt)).status, 200);
  const records = await srv.db.collection('client_assertions').find({}).toArray();
  assert.ok(records.length > 0);
  const horizon = Date.now() + (MAX + 60) * 1000;
  for (const r of records)
    for (const v of Object.values(r)) if (v instanceof Date) assert.ok(v.getTime() <= horizon, 'no record kept beyond the bound');
});
