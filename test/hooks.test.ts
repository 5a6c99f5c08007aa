import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { registerCodeModule } from '../src/claims/code-resolvers.js';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { RP } from './helpers/authorize-fixture.js';
import { Browser, responseParams } from './helpers/browser-fetch.js';
import { browserLogin, claimsOf, json, redeemCode, startReceiver, waitFor, waitForEvent, type Receiver } from './helpers/extensions.js';
import { decodePayload, issueCode, redeem, userinfo } from './helpers/issue.js';
import { signIn, silentCheck, type RpClient } from './helpers/rp-session.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Per-tenant hooks: AFTER_LOGIN (deny, or ask for a step), ID_TOKEN_PROCESSING (add or
 * change claims, never the protocol ones), SUB_GENERATOR (the user's identifier for
 * `sub`, public and pairwise) and AFTER_END_SESSION (told about a logout), as code and
 * as webhooks signed with the tenant's key.
 */
const T = 'hookco';
const PASSWORD = 'hook test password 1';
const RP_OUT = 'https://rp.example.com/signed-out';
let srv: TestServer;
let token: string;
let web: RpClient;
let receiver: Receiver;
let users: { grace: string; sus: string; con: string };

const SET_HOOK = `mutation($t: String!, $i: HookInput!) { setHook(tenant: $t, input: $i) { point kind code webhook { url timeoutMs } failClosed } }`;
const setHook = (input: Record<string, unknown>, tenant = T) => gql(srv, SET_HOOK, { t: tenant, i: input }, token);
const deleteHook = (point: string, tenant = T) =>
  gqlOk(srv, `mutation($t: String!, $p: HookPoint!) { deleteHook(tenant: $t, point: $p) }`, { t: tenant, p: point }, token);

/** The ID-token webhook's answer, set per test. */
let idTokenAnswer: (body: Record<string, any>) => { status: number; body: unknown } = () => ({ status: 200, body: { claims: {} } });

before(async () => {
  srv = await startTestServer({ label: 'hooks' });
  token = await adminToken(srv);
  receiver = await startReceiver(async (req, res) => {
    const jwt = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${srv.issuer(T)}/jwks`)), {
      issuer: srv.issuer(T),
      audience: `${receiver.url}${req.path}`,
      typ: 'gatehouse-webhook+jwt',
    });
    assert.equal(payload.body_sha256, createHash('sha256').update(req.body).digest('base64url'));
    const body = JSON.parse(req.body) as Record<string, any>;
    if (req.path === '/id-token') {
      assert.equal(payload.purpose, 'hook:ID_TOKEN_PROCESSING');
      const a = idTokenAnswer(body);
      return json(res, a.status, a.body);
    }
    if (req.path === '/after-login-down') return json(res, 503, {});
    if (req.path === '/logout') return json(res, 204, '');
    json(res, 404, {});
  });
  await createTenant(srv, T, 'Hook Co');
  const created = await createClient(srv, T, {
    name: 'Hook Co Web',
    clientType: 'CONFIDENTIAL',
    redirectUris: [RP],
    postLogoutRedirectUris: [RP_OUT],
    grantTypes: ['authorization_code', 'implicit'],
    responseTypes: ['code', 'id_token'],
    scopes: ['openid', 'profile', 'email'],
    requireConsent: false,
  });
  web = { ...created, redirectUri: RP };
  users = {
    grace: await createUser(srv, T, 'grace', PASSWORD, {
      name: 'Grace Hopper',
      email: 'grace@hookco.example',
      attributes: { department: 'Navy' },
    }),
    sus: await createUser(srv, T, 'sus', PASSWORD, { name: 'Sus Pended', attributes: { suspended: true } }),
    con: await createUser(srv, T, 'con', PASSWORD, { name: 'Con Tractor', attributes: { contractor: true } }),
  };
  registerCodeModule(
    {
      afterLogin: {
        checkAccount: (user, client, scopes, tenant, login) => {
          assert.equal(tenant.slug, T);
          assert.deepEqual(login.amr, ['pwd']);
          const a = (user.claims.attributes ?? {}) as Record<string, unknown>;
          if (a.suspended) return { deny: 'Your account is suspended. Call the service desk.' };
          if (a.contractor) return { requireStep: 'mfa' };
          return null;
        },
      },
      idTokenProcessing: {
        decorate: (claims, user, client) => ({
          department: ((user.claims.attributes ?? {}) as Record<string, unknown>).department,
          seen_sub: claims.sub,
          client_name: client.name,
          name: null,
          // None of these may change:
          iss: 'https://evil.example',
          sub: 'someone-else',
          aud: 'another-client',
          exp: 1,
          iat: 1,
          nonce: 'forged',
          at_hash: 'forged',
          c_hash: 'forged',
          auth_time: 1,
          sid: 'forged',
        }),
      },
      subGenerator: {
        employee: (user) => (typeof user.claims.employee_number === 'string' ? `emp-${user.claims.employee_number}` : user.id),
        broken: () => 42 as unknown as string,
      },
    },
    { tenant: T },
  );
});

after(async () => {
  await srv?.close();
  await receiver?.close();
});

/** Follows the refused page's "Return to …" link; returns the error the client receives. */
async function returnToClient(browser: Browser, body: string): Promise<URLSearchParams> {
  const href = /<a class="btn" href="([^"]+)"/.exec(body)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(href, 'the page links back to the application');
  const landing = await browser.navigate(new URL(href, srv.url).href, srv.url);
  assert.equal(landing.kind, 'redirect');
  return responseParams((landing as { url: string }).url);
}

describe('ID_TOKEN_PROCESSING', () => {
  test('a code hook adds, changes and removes claims; protocol claims stay the provider’s (openid-client validates the token)', async () => {
    assert.equal((await setHook({ point: 'ID_TOKEN_PROCESSING', kind: 'CODE', code: 'decorate' })).errors, undefined);
    try {
      const s = await signIn(srv, new Browser(), T, web, { username: 'grace', password: PASSWORD });
      const id = decodeJwt(s.idToken);
      assert.equal(id.department, 'Navy');
      assert.equal(id.client_name, 'Hook Co Web');
      assert.equal(id.seen_sub, users.grace, 'the hook saw the token’s claims');
      assert.equal(id.name, undefined, 'null removes a claim');
      assert.equal(id.iss, srv.issuer(T));
      assert.equal(id.sub, users.grace);
      assert.equal(id.aud, web.clientId);
      assert.notEqual(id.nonce, 'forged');
      assert.ok((id.exp as number) > Date.now() / 1000);
      assert.ok((id.iat as number) > 1 && (id.auth_time as number) > 1);
      assert.notEqual(id.sid, 'forged');
      assert.equal(id.c_hash, undefined, 'no claim the flow does not have is added either');
    } finally {
      await deleteHook('ID_TOKEN_PROCESSING');
    }
  });

  test('a webhook hook changes claims; a failing one leaves the token as it was and records HOOK_FAILED', async () => {
    assert.equal(
      (await setHook({ point: 'ID_TOKEN_PROCESSING', kind: 'WEBHOOK', webhook: { url: `${receiver.url}/id-token`, timeoutMs: 1000 } }))
        .errors,
      undefined,
    );
    try {
      idTokenAnswer = (body) => {
        assert.equal(body.claims.sub, users.grace);
        return { status: 200, body: { claims: { plan: 'enterprise', email: 'changed@hookco.example', sub: 'no', at_hash: 'no' } } };
      };
      const c = await issueCode(srv, T, { clientId: web.clientId, userId: users.grace, scopes: ['openid', 'email'] });
      const t = await redeem(srv, T, c, [web.clientId, web.clientSecret!]);
      const id = decodePayload(t.body.id_token);
      assert.equal(id.plan, 'enterprise');
      assert.equal(id.email, 'changed@hookco.example');
      assert.equal(id.sub, users.grace);
      assert.notEqual(id.at_hash, 'no');
      assert.equal((await userinfo(srv, T, t.body.access_token)).body.email, 'grace@hookco.example', 'the hook changes the ID token only');

      idTokenAnswer = () => ({ status: 500, body: {} });
      const c2 = await issueCode(srv, T, { clientId: web.clientId, userId: users.grace, scopes: ['openid'] });
      const t2 = await redeem(srv, T, c2, [web.clientId, web.clientSecret!]);
      assert.equal(t2.status, 200);
      assert.equal(decodePayload(t2.body.id_token).plan, undefined);
      const e = await waitForEvent(srv, T, 'HOOK_FAILED', (ev) => ev.data.point === 'ID_TOKEN_PROCESSING');
      assert.equal(e.data.reason, 'http_status');
    } finally {
      await deleteHook('ID_TOKEN_PROCESSING');
    }
  });
});

describe('SUB_GENERATOR', () => {
  test('the generated identifier is the sub of ID token, access token and userinfo; pairwise hashes it', async () => {
    await createTenant(srv, 'subco', 'Sub Co');
    registerCodeModule(
      {
        subGenerator: {
          employee: (user) => (typeof user.claims.employee_number === 'string' ? `emp-${user.claims.employee_number}` : user.id),
        },
      },
      { tenant: 'subco' },
    );
    const pub = await createClient(srv, 'subco', {
      name: 'P',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes: ['openid'],
      requireConsent: false,
    });
    const pair = await createClient(srv, 'subco', {
      name: 'Q',
      clientType: 'CONFIDENTIAL',
      redirectUris: ['https://other.example/cb'],
      scopes: ['openid'],
      requireConsent: false,
    });
    await gqlOk(
      srv,
      `mutation($t: String!, $c: String!) { updateClient(tenant: $t, clientId: $c, input: { subjectType: "pairwise" }) { clientId } }`,
      { t: 'subco', c: pair.clientId },
      token,
    );
    const emp = await createUser(srv, 'subco', 'emp', PASSWORD, { employee_number: '1024' });
    const plain = await createUser(srv, 'subco', 'plain', PASSWORD);

    const subsBefore = await subsOf('subco', pub.clientId, pub.clientSecret!, emp);
    assert.equal(subsBefore.id, emp, 'without a generator: the user id');
    assert.equal((await setHook({ point: 'SUB_GENERATOR', kind: 'CODE', code: 'employee' }, 'subco')).errors, undefined);

    const s = await subsOf('subco', pub.clientId, pub.clientSecret!, emp);
    assert.deepEqual(s, { id: 'emp-1024', at: 'emp-1024', userinfo: 'emp-1024' });
    assert.equal(
      (await subsOf('subco', pub.clientId, pub.clientSecret!, plain)).id,
      plain,
      'the generator decides for users without a number',
    );

    const p1 = await subsOf('subco', pair.clientId, pair.clientSecret!, emp, 'https://other.example/cb');
    assert.notEqual(p1.id, 'emp-1024');
    assert.notEqual(p1.id, emp);
    assert.deepEqual(await subsOf('subco', pair.clientId, pair.clientSecret!, emp, 'https://other.example/cb'), p1, 'stable');
  });

  test('a SUB_GENERATOR must be registered code; a broken one fails the request rather than hand out another sub', async () => {
    const hook = await setHook({ point: 'SUB_GENERATOR', kind: 'WEBHOOK', webhook: { url: 'https://sub.example.com/x' } });
    assert.equal(hook.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(hook.errors?.[0]?.extensions?.field, 'kind');
    const unknown = await setHook({ point: 'SUB_GENERATOR', kind: 'CODE', code: 'nope' });
    assert.equal(unknown.errors?.[0]?.extensions?.field, 'code');
    const closed = await setHook({ point: 'ID_TOKEN_PROCESSING', kind: 'CODE', code: 'decorate', failClosed: true });
    assert.equal(closed.errors?.[0]?.extensions?.field, 'failClosed');

    await createTenant(srv, 'brokensub', 'Broken Sub');
    registerCodeModule({ subGenerator: { broken: () => 42 as unknown as string } }, { tenant: 'brokensub' });
    const c = await createClient(srv, 'brokensub', {
      name: 'B',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes: ['openid'],
      requireConsent: false,
    });
    const u = await createUser(srv, 'brokensub', 'b', PASSWORD);
    assert.equal((await setHook({ point: 'SUB_GENERATOR', kind: 'CODE', code: 'broken' }, 'brokensub')).errors, undefined);
    await assert.rejects(issueCode(srv, 'brokensub', { clientId: c.clientId, userId: u, scopes: ['openid'] }), /sub generator failed/);
  });
});

async function subsOf(
  slug: string,
  clientId: string,
  secret: string,
  userId: string,
  redirectUri?: string,
): Promise<{ id: string; at: string; userinfo: string }> {
  const c = await issueCode(srv, slug, { clientId, userId, scopes: ['openid'], redirectUri });
  const t = await redeem(srv, slug, c, [clientId, secret]);
  assert.equal(t.status, 200, JSON.stringify(t.body));
  return {
    id: decodePayload(t.body.id_token).sub,
    at: decodePayload(t.body.access_token).sub,
    userinfo: (await userinfo(srv, slug, t.body.access_token)).body.sub,
  };
}

describe('AFTER_LOGIN', () => {
  before(async () => {
    assert.equal((await setHook({ point: 'AFTER_LOGIN', kind: 'CODE', code: 'checkAccount' })).errors, undefined);
  });

  test('a deny shows the hook’s message on the login page, starts no session, and ends the authorization with access_denied', async () => {
    const { end, browser } = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'sus',
      password: PASSWORD,
      scope: 'openid',
    });
    assert.equal(end.kind, 'page');
    const page = (end as { page: { status: number; body: string } }).page;
    assert.equal(page.status, 403);
    assert.match(page.body, /Your account is suspended\. Call the service desk\./);
    const params = await returnToClient(browser, page.body);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('code'), null);
    assert.equal(await silentCheck(srv, browser, T, web), 'login_required', 'no session was started');
    const e = await waitForEvent(srv, T, 'LOGIN_DENIED', (ev) => ev.userId === users.sus);
    assert.equal(e.data.reason, 'denied');
  });

  test('requireStep: "additional verification required", the authorization ends with interaction_required', async () => {
    const { end, browser } = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'con',
      password: PASSWORD,
      scope: 'openid',
    });
    const page = (end as { page: { status: number; body: string } }).page;
    assert.equal(page.status, 403);
    assert.match(page.body, /Additional verification required/);
    assert.equal((await returnToClient(browser, page.body)).get('error'), 'interaction_required');
    const e = await waitForEvent(srv, T, 'LOGIN_DENIED', (ev) => ev.userId === users.con);
    assert.deepEqual([e.data.reason, e.data.step], ['step_required', 'mfa']);
  });

  test('an allowed user signs in as usual', async () => {
    const { end } = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'grace',
      password: PASSWORD,
      scope: 'openid',
    });
    assert.equal(end.kind, 'redirect');
    const code = responseParams((end as { url: string }).url).get('code');
    assert.ok(code);
    assert.equal((await redeemCode(srv, T, web, code, RP)).status, 200);
  });

  test('a webhook that is down lets the login through (and is recorded); with failClosed it refuses', async () => {
    assert.equal(
      (await setHook({ point: 'AFTER_LOGIN', kind: 'WEBHOOK', webhook: { url: `${receiver.url}/after-login-down` } })).errors,
      undefined,
    );
    const open = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'sus',
      password: PASSWORD,
      scope: 'openid',
    });
    assert.equal(open.end.kind, 'redirect');
    assert.ok(responseParams((open.end as { url: string }).url).get('code'));
    await waitForEvent(srv, T, 'HOOK_FAILED', (ev) => ev.data.point === 'AFTER_LOGIN');

    assert.equal(
      (await setHook({ point: 'AFTER_LOGIN', kind: 'WEBHOOK', webhook: { url: `${receiver.url}/after-login-down` }, failClosed: true }))
        .errors,
      undefined,
    );
    const closed = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'grace',
      password: PASSWORD,
      scope: 'openid',
    });
    const page = (closed.end as { page: { status: number; body: string } }).page;
    assert.equal(page.status, 403);
    assert.equal((await returnToClient(closed.browser, page.body)).get('error'), 'access_denied');
    await deleteHook('AFTER_LOGIN');
  });
});

describe('AFTER_END_SESSION', () => {
  test('the tenant’s webhook is told about a logout, and LOGOUT is recorded', async () => {
    assert.equal(
      (await setHook({ point: 'AFTER_END_SESSION', kind: 'WEBHOOK', webhook: { url: `${receiver.url}/logout` } })).errors,
      undefined,
    );
    const browser = new Browser();
    const s = await signIn(srv, browser, T, web, { username: 'grace', password: PASSWORD });
    const url = oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT, state: 'bye' });
    const landing = await browser.navigate(url.href, srv.url);
    assert.equal(landing.kind, 'redirect');
    const call = await waitFor(() => receiver.requests.find((r) => r.path === '/logout'), 5_000, 'the logout webhook');
    const body = JSON.parse(call.body) as Record<string, any>;
    assert.equal(body.hook, 'AFTER_END_SESSION');
    assert.equal(body.user_id, users.grace);
    assert.equal(body.sid, s.sid);
    assert.ok(body.client_ids.includes(web.clientId));
    const e = await waitForEvent(srv, T, 'LOGOUT', (ev) => ev.data.sid === s.sid);
    assert.equal(e.userId, users.grace);
    assert.equal(claimsOf(s.idToken).sid, s.sid);
  });
});
