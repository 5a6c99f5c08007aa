import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, createUser, gqlOk } from './helpers/admin.js';
import { RP, authorizeUrl, randomValue, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { Browser, loginForm, type Page } from './helpers/browser-fetch.js';
import { tokenRequest } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { passwordVerifications } from '../src/users/password-check.js';

/**
 * Issue 12 finding 4: the lock-out must hold against concurrent guesses (docs/security.md
 * "Login throttling"). Five failures are free (docs/security.md), the sixth attempt is the one
 * that sets the lock: at most six passwords are ever evaluated for a burst.
 */
const ALLOWED = 6;
const RIGHT = 'the right password 42';
let srv: TestServer;
let fx: Fixture;
let app: [string, string];

before(async () => {
  srv = await startTestServer({ label: 'sec-throttle' });
  fx = await setupFixture(srv);
  await gqlOk(srv, `mutation { updateTenant(slug: "acme", input: { settings: { passwordGrant: true } }) { slug } }`);
  await createUser(srv, 'acme', 'victim', RIGHT);
  await createUser(srv, 'acme', 'victim2', RIGHT);
  const c = await createClient(srv, 'acme', {
    name: 'legacy app',
    clientType: 'CONFIDENTIAL',
    responseTypes: [],
    grantTypes: ['password'],
  });
  app = [c.clientId, c.clientSecret!];
});
after(() => srv.close());

const evaluations = async (): Promise<number> => (await passwordVerifications.get()).values.reduce((n, v) => n + v.value, 0);
const acme = async () => (await srv.rt.tenants.get('acme'))!;
const locked = async (username: string): Promise<boolean> => {
  const rec = await (await acme()).store.loginAttempts.find(username);
  return !!rec?.lockedUntil && new Date(rec.lockedUntil) > new Date();
};
/** 29 wrong guesses and the right one, the right one in the middle. */
const burst = (): string[] => Array.from({ length: 30 }, (_, i) => (i === 15 ? RIGHT : `wrong guess ${i}`));

test('the attack on the login page: 30 concurrent POSTs on one interaction evaluate at most six passwords and engage the lock', async () => {
  const b = new Browser();
  const params = {
    client_id: fx.web.clientId,
    redirect_uri: RP,
    response_type: 'code',
    scope: 'openid',
    state: randomValue(),
    nonce: randomValue(),
  };
  const landing = await b.navigate(authorizeUrl(srv, 'acme', params), srv.url);
  assert.equal(landing.kind, 'page');
  const form = loginForm((landing as { page: Page }).page)!;
  const start = await evaluations();
  const answers = await Promise.all(
    burst().map((password) => b.request(form.action, { method: 'POST', form: { ...form.fields, username: 'victim', password } })),
  );
  for (const a of answers) assert.equal(a.status, 303);
  const evaluated = (await evaluations()) - start;
  assert.ok(evaluated <= ALLOWED, `${evaluated} passwords evaluated`);
  assert.equal(await locked('victim'), true, 'lock-out engaged');
});

test('the same attack on the password grant', async () => {
  const start = await evaluations();
  const answers = await Promise.all(
    burst().map((password) => tokenRequest(srv, 'acme', { grant_type: 'password', username: 'victim2', password }, app)),
  );
  const evaluated = (await evaluations()) - start;
  assert.ok(evaluated <= ALLOWED, `${evaluated} passwords evaluated`);
  assert.equal(await locked('victim2'), true, 'lock-out engaged');
  // Every refusal is the same invalid_grant, whatever the reason (the user exists or not, locked or wrong).
  for (const a of answers.filter((r) => r.status !== 200)) assert.equal(a.body.error, 'invalid_grant');
  const late = await tokenRequest(srv, 'acme', { grant_type: 'password', username: 'victim2', password: RIGHT }, app);
  assert.equal(late.body.error, 'invalid_grant', 'locked: even the right password waits for the window');
});

test('sequential attempts keep the documented contract: five failures free, the right password then works and resets', async () => {
  await createUser(srv, 'acme', 'steady', RIGHT);
  for (let i = 0; i < 5; i++)
    assert.equal(
      (await tokenRequest(srv, 'acme', { grant_type: 'password', username: 'steady', password: `no ${i}` }, app)).body.error,
      'invalid_grant',
    );
  assert.equal((await tokenRequest(srv, 'acme', { grant_type: 'password', username: 'steady', password: RIGHT }, app)).status, 200);
  assert.equal(await (await acme()).store.loginAttempts.find('steady'), null, 'the count starts again');
});
