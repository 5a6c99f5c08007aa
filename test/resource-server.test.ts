import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { requireAccessToken, type VerifiedAccessToken } from '../src/resource-server/index.js';
import { clientCredentials, createClient, createTenant, type CreatedClient } from './helpers/admin.js';
import { issueCode, redeem } from './helpers/issue.js';
import { RP } from './helpers/authorize-fixture.js';
import { createUser } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The resource-server helper (`gatehouse/resource-server`): a small Express API in the
 * test accepts a real Gatehouse tenant's access tokens and requires scopes; tokens of
 * another tenant, without the scope, expired, tampered, opaque without introspection,
 * or revoked (with introspection) are refused with RFC 6750 challenges.
 */
let srv: TestServer;
let api: Server;
let apiUrl: string;
let caller: CreatedClient;
let opaqueCaller: CreatedClient;
let rsClient: CreatedClient;
let otherCaller: CreatedClient;
let shortCaller: CreatedClient;

async function tokenFor(tenant: string, c: CreatedClient, scope: string): Promise<string> {
  const res = await clientCredentials(srv, tenant, c.clientId, c.clientSecret!, { scope });
  const body = (await res.json()) as { access_token?: string };
  assert.ok(body.access_token, JSON.stringify(body));
  return body.access_token;
}

async function call(
  path: string,
  token?: string,
  header?: string,
): Promise<{ status: number; challenge: string | null; body: Record<string, any> }> {
  const headers: Record<string, string> = {};
  if (header !== undefined) headers.authorization = header;
  else if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${apiUrl}${path}`, { headers });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, any> };
}

before(async () => {
  srv = await startTestServer({ label: 'resourcesrv' });
  await createTenant(srv, 'rsco', 'RS Co');
  await createTenant(srv, 'otherco', 'Other Co');
  // 2 s, not 1: exp is whole seconds, so a 1 s token issued late in a second can be expired at once.
  await createTenant(srv, 'shortco', 'Short Co', { settings: { accessTokenTtl: 2 } });
  const cc = { clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], scopes: ['api:read', 'api:write'] };
  caller = await createClient(srv, 'rsco', { name: 'Caller', ...cc });
  opaqueCaller = await createClient(srv, 'rsco', { name: 'Opaque caller', ...cc, accessTokenFormat: 'OPAQUE' });
  rsClient = await createClient(srv, 'rsco', { name: 'The API itself', ...cc });
  otherCaller = await createClient(srv, 'otherco', { name: 'Other', ...cc });
  shortCaller = await createClient(srv, 'shortco', { name: 'Short', ...cc });

  const issuer = srv.issuer('rsco');
  const app = express();
  const echo = (_req: express.Request, res: express.Response) => res.json(res.locals.accessToken as VerifiedAccessToken);
  app.get('/read', requireAccessToken({ issuer, scopes: ['api:read'] }), echo);
  app.get('/write', requireAccessToken({ issuer, scopes: ['api:read', 'api:write'] }), echo);
  app.get('/aud-ok', requireAccessToken({ issuer, audience: issuer }), echo);
  app.get('/aud-other', requireAccessToken({ issuer, audience: 'https://api.rsco.example' }), echo);
  app.get('/short', requireAccessToken({ issuer: srv.issuer('shortco'), scopes: ['api:read'], clockTolerance: 0, clock: srv.clock }), echo);
  const introspection = { clientId: rsClient.clientId, clientSecret: rsClient.clientSecret! };
  app.get('/opaque', requireAccessToken({ issuer, scopes: ['api:read'], introspection }), echo);
  app.get('/strict', requireAccessToken({ issuer, scopes: ['api:read'], introspection: { ...introspection, always: true } }), echo);
  api = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => api.once('listening', () => resolve()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await srv?.close();
});

describe('accepted', () => {
  test('a JWT access token of the tenant with the scope; its claims are on res.locals', async () => {
    const r = await call('/read', await tokenFor('rsco', caller, 'api:read api:write'));
    assert.equal(r.status, 200);
    assert.equal(r.body.format, 'jwt');
    assert.equal(r.body.clientId, caller.clientId);
    assert.deepEqual(r.body.scopes, ['api:read', 'api:write']);
    assert.equal(r.body.claims.iss, srv.issuer('rsco'));
    assert.equal((await call('/write', await tokenFor('rsco', caller, 'api:read api:write'))).status, 200);
    assert.equal((await call('/aud-ok', await tokenFor('rsco', caller, 'api:read'))).status, 200);
  });

  test('a user’s access token from a code flow', async () => {
    const web = await createClient(srv, 'rsco', {
      name: 'Web',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes: ['openid', 'api:read'],
    });
    const uid = await createUser(srv, 'rsco', 'rita', 'rita password 123');
    const c = await issueCode(srv, 'rsco', { clientId: web.clientId, userId: uid, scopes: ['openid', 'api:read'] });
    const t = await redeem(srv, 'rsco', c, [web.clientId, web.clientSecret!]);
    const r = await call('/read', t.body.access_token);
    assert.equal(r.status, 200);
    assert.equal(r.body.sub, uid);
  });

  test('an opaque token through introspection', async () => {
    const opaque = await tokenFor('rsco', opaqueCaller, 'api:read');
    assert.equal(opaque.split('.').length, 1);
    const r = await call('/opaque', opaque);
    assert.equal(r.status, 200);
    assert.equal(r.body.format, 'opaque');
    assert.equal(r.body.clientId, opaqueCaller.clientId);
  });
});

describe('refused', () => {
  test('no token: 401 with a challenge and no error code (RFC 6750 3.1)', async () => {
    const r = await call('/read');
    assert.equal(r.status, 401);
    assert.equal(r.challenge, `Bearer realm="${srv.issuer('rsco')}"`);
    const bad = await call('/read', undefined, 'Basic dXNlcjpwYXNz');
    assert.equal(bad.status, 401);
    assert.match(bad.challenge!, /error="invalid_token"/);
  });

  test('missing scope: 403 insufficient_scope naming the scopes needed', async () => {
    const r = await call('/write', await tokenFor('rsco', caller, 'api:read'));
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'insufficient_scope');
    assert.match(r.challenge!, /^Bearer realm="[^"]+", error="insufficient_scope", error_description="[^"]+", scope="api:read api:write"$/);
  });

  test('a token of another tenant', async () => {
    const r = await call('/read', await tokenFor('otherco', otherCaller, 'api:read'));
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_token');
    assert.match(r.challenge!, /error="invalid_token"/);
  });

  test('an expired token', async () => {
    const t = await tokenFor('shortco', shortCaller, 'api:read');
    assert.equal((await call('/short', t)).status, 200);
    srv.clock.advance(3_100);
    const r = await call('/short', t);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_token');
  });

  test('another audience, a tampered token, an ID token, an opaque token without introspection', async () => {
    const t = await tokenFor('rsco', caller, 'api:read');
    assert.equal((await call('/aud-other', t)).status, 401);
    const [h, p, s] = t.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'api:read api:write admin' })).toString('base64url')}.${s}`;
    assert.equal((await call('/write', forged)).status, 401);
    const web = await createClient(srv, 'rsco', {
      name: 'Web 2',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes: ['openid', 'api:read'],
    });
    const uid = await createUser(srv, 'rsco', 'ida', 'ida password 1234');
    const c = await issueCode(srv, 'rsco', { clientId: web.clientId, userId: uid, scopes: ['openid', 'api:read'] });
    const idToken = (await redeem(srv, 'rsco', c, [web.clientId, web.clientSecret!])).body.id_token as string;
    assert.equal((await call('/read', idToken)).status, 401, 'typ is not at+jwt');
    assert.equal((await call('/read', await tokenFor('rsco', opaqueCaller, 'api:read'))).status, 401);
  });

  test('a revoked token: accepted locally until it expires, refused at once with introspection always', async () => {
    const t = await tokenFor('rsco', caller, 'api:read');
    assert.equal((await call('/strict', t)).status, 200);
    const res = await fetch(`${srv.issuer('rsco')}/revoke`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${caller.clientId}:${caller.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: t, token_type_hint: 'access_token' }),
    });
    assert.equal(res.status, 200);
    assert.equal((await call('/read', t)).status, 200, 'a local check cannot know');
    const r = await call('/strict', t);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_token');
  });
});
