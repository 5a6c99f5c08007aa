import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { decodePayload, rp, tokenRequest, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
const ON = 'pw';
const OFF = 'plain';
let app: [string, string];
let plainApp: [string, string];
let noPassword: [string, string];

before(async () => {
  srv = await startTestServer({ label: 'password-grant' });
  await createTenant(srv, OFF);
  await createTenant(srv, ON, 'Password tenant', { settings: { passwordGrant: true } });
  for (const slug of [ON, OFF]) {
    await createUser(srv, slug, 'alice', 'correct horse battery', { name: 'Alice', email: 'alice@example.com' });
    await createUser(srv, slug, 'bob', 'bobs long password', { name: 'Bob' });
  }
  const mk = async (slug: string, input: Record<string, unknown>): Promise<[string, string]> => {
    const c = await createClient(srv, slug, { clientType: 'CONFIDENTIAL', responseTypes: [], ...input });
    return [c.clientId, c.clientSecret!];
  };
  app = await mk(ON, { name: 'legacy app', grantTypes: ['password', 'refresh_token'] });
  noPassword = await mk(ON, { name: 'regular app', grantTypes: ['client_credentials'] });
  plainApp = await mk(OFF, { name: 'legacy app', grantTypes: ['password', 'refresh_token'] });
});
after(() => srv.close());

const passwordGrant = (slug: string, client: [string, string], username: string, password: string, extra: Record<string, string> = {}) =>
  tokenRequest(srv, slug, { grant_type: 'password', username, password, ...extra }, client);

const grantTypesOf = async (slug: string): Promise<string[]> =>
  ((await (await fetch(`${srv.issuer(slug)}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] })
    .grant_types_supported;

test('off by default: not announced, and unsupported_grant_type even for a client registered for it', async () => {
  assert.ok(!(await grantTypesOf(OFF)).includes('password'));
  const r = await passwordGrant(OFF, plainApp, 'alice', 'correct horse battery');
  assert.equal(r.status, 400);
  assert.equal(r.body.error, 'unsupported_grant_type');
});

test('a tenant that enables it announces it; a client without the grant type is unauthorized_client', async () => {
  assert.ok((await grantTypesOf(ON)).includes('password'));
  const r = await passwordGrant(ON, noPassword, 'alice', 'correct horse battery');
  assert.equal(r.status, 400);
  assert.equal(r.body.error, 'unauthorized_client');
});

test('switching the tenant setting on and off through GraphQL takes effect at once', async () => {
  await createTenant(srv, 'toggle');
  await createUser(srv, 'toggle', 'carol', 'carols long password');
  const c = await createClient(srv, 'toggle', { name: 'app', clientType: 'CONFIDENTIAL', responseTypes: [], grantTypes: ['password'] });
  const me: [string, string] = [c.clientId, c.clientSecret!];
  assert.equal((await passwordGrant('toggle', me, 'carol', 'carols long password')).body.error, 'unsupported_grant_type');
  await gqlOk(srv, 'mutation { updateTenant(slug: "toggle", input: { settings: { passwordGrant: true } }) { slug } }');
  assert.equal((await passwordGrant('toggle', me, 'carol', 'carols long password')).status, 200);
  assert.ok((await grantTypesOf('toggle')).includes('password'));
  await gqlOk(srv, 'mutation { updateTenant(slug: "toggle", input: { settings: { passwordGrant: null } }) { slug } }');
  assert.equal((await passwordGrant('toggle', me, 'carol', 'carols long password')).body.error, 'unsupported_grant_type');
});

test('enabled: openid-client gets an access token and an ID token; a refresh token only with offline_access', async () => {
  const config = await rp(srv, ON, app[0], { client_secret: app[1] }, oidc.ClientSecretBasic(app[1]));
  const res = await oidc.genericGrantRequest(config, 'password', {
    username: 'alice',
    password: 'correct horse battery',
    scope: 'openid profile',
  });
  assert.ok(res.access_token);
  assert.equal(res.scope, 'openid profile');
  assert.equal(res.refresh_token, undefined);
  const idt = res.claims()!;
  assert.equal(idt.aud, app[0]);
  assert.deepEqual(idt.amr, ['pwd']);
  assert.equal(idt.sid, undefined, 'no login session, so no sid');
  const info = await userinfo(srv, ON, res.access_token);
  assert.equal(info.status, 200);
  assert.equal(info.body.name, 'Alice');
  assert.equal(info.body.sub, decodePayload(res.access_token).sub);

  const offline = await passwordGrant(ON, app, 'alice', 'correct horse battery', { scope: 'openid offline_access' });
  assert.equal(offline.status, 200, JSON.stringify(offline.body));
  assert.ok(offline.body.refresh_token);
  const refreshed = await tokenRequest(srv, ON, { grant_type: 'refresh_token', refresh_token: offline.body.refresh_token }, app);
  assert.equal(refreshed.status, 200);

  const tooMuch = await passwordGrant(ON, app, 'alice', 'correct horse battery', { scope: 'openid api:admin' });
  assert.equal(tooMuch.body.error, 'invalid_scope');
  const missing = await tokenRequest(srv, ON, { grant_type: 'password', username: 'alice' }, app);
  assert.equal(missing.body.error, 'invalid_request');
});

test('an unknown user and a wrong password get the same answer', async () => {
  const wrong = await passwordGrant(ON, app, 'bob', 'not his password');
  const unknown = await passwordGrant(ON, app, 'nobody-here', 'not his password');
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  assert.deepEqual(unknown.body, wrong.body);
  assert.equal(unknown.status, wrong.status);
  // The correct password still works (two failures are far from any lock-out).
  assert.equal((await passwordGrant(ON, app, 'bob', 'bobs long password')).status, 200);
});

test('brute force: five failures are free, then the username is locked — for the right password too, unknown users alike', async () => {
  await createUser(srv, ON, 'dave', 'daves long password');
  for (let i = 0; i < 5; i++) assert.equal((await passwordGrant(ON, app, 'dave', `guess ${i}`)).body.error, 'invalid_grant');
  // After five failures the right password is still accepted, and resets the count.
  assert.equal((await passwordGrant(ON, app, 'dave', 'daves long password')).status, 200);
  for (let i = 0; i < 6; i++) assert.equal((await passwordGrant(ON, app, 'dave', `guess ${i}`)).body.error, 'invalid_grant');
  const locked = await passwordGrant(ON, app, 'dave', 'daves long password');
  assert.equal(locked.status, 400);
  assert.equal(locked.body.error, 'invalid_grant');
  // The lock is per username: another user of the same client is unaffected.
  assert.equal((await passwordGrant(ON, app, 'alice', 'correct horse battery')).status, 200);
  // The login page shares the counter (sessions/login-throttle.ts): one lock for both.
  const tenant = (await srv.rt.tenants.get(ON))!;
  const { isLockedOut } = await import('../src/sessions/login-throttle.js');
  assert.equal(await isLockedOut(tenant, 'DAVE'), true);
  assert.equal(await isLockedOut(tenant, 'nobody-at-all'), false);
  for (let i = 0; i < 6; i++) await passwordGrant(ON, app, 'nobody-at-all', `guess ${i}`);
  assert.equal(await isLockedOut(tenant, 'nobody-at-all'), true, 'unknown usernames lock the same way');
});

test('brute force across many usernames through one client locks that client for a while', async () => {
  const c = await createClient(srv, ON, { name: 'sprayed app', clientType: 'CONFIDENTIAL', responseTypes: [], grantTypes: ['password'] });
  const sprayed: [string, string] = [c.clientId, c.clientSecret!];
  await createUser(srv, ON, 'erin', 'erins long password');
  assert.equal((await passwordGrant(ON, sprayed, 'erin', 'erins long password')).status, 200);
  // 50 failures over 50 usernames: none of them reaches its own limit.
  for (let i = 0; i < 51; i++) assert.equal((await passwordGrant(ON, sprayed, `user-${i}`, 'password123')).body.error, 'invalid_grant');
  const blocked = await passwordGrant(ON, sprayed, 'erin', 'erins long password');
  assert.equal(blocked.body.error, 'invalid_grant');
  // Other clients of the tenant are not affected.
  assert.equal((await passwordGrant(ON, app, 'erin', 'erins long password')).status, 200);
});
