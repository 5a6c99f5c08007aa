import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { loadCodeResolvers, registerCodeModule } from '../src/claims/code-resolvers.js';
import { createClient, createTenant, createUser, gql, gqlOk, adminToken, type CreatedClient } from './helpers/admin.js';
import { RP } from './helpers/authorize-fixture.js';
import { responseParams } from './helpers/browser-fetch.js';
import { browserLogin, claimsOf, json, redeemCode, startReceiver, waitForEvent, type Receiver } from './helpers/extensions.js';
import { decodePayload, issue, issueCode, redeem, userinfo } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Claim resolvers of the three kinds (MAPPING, CODE, WEBHOOK), configured through
 * GraphQL and applied by the one claims pipeline to ID tokens, access tokens, userinfo
 * and the claims request parameter. A failing webhook never breaks a login: the claim
 * is left out, and the failure is counted and recorded as an event.
 */
const T = 'claimco';
const PASSWORD = 'claimco password 1';
const ROLES = 'https://claimco.example/roles';
let srv: TestServer;
let token: string;
let web: CreatedClient;
let userId: string;
let receiver: Receiver;
let webhookCalls = 0;
/** The slow resolver's receiver answers only when this is released (in after()): past any timeout. */
let releaseSlow!: () => void;
const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));

const SET = `mutation($t: String!, $i: ClaimResolverInput!) { setClaimResolver(tenant: $t, input: $i) { name kind targets mapping { path template constant type } code webhook { url timeoutMs cacheTtlSeconds } } }`;
const setResolver = (input: Record<string, unknown>, tenant = T) => gql(srv, SET, { t: tenant, i: input }, token);

before(async () => {
  srv = await startTestServer({ label: 'claimres' });
  token = await adminToken(srv);
  receiver = await startReceiver(async (req, res) => {
    if (req.path === '/entitlements') {
      webhookCalls++;
      // The receiver's side: the call is a JWT of the tenant, for this URL, over this body.
      const jwt = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${srv.issuer(T)}/jwks`)), {
        issuer: srv.issuer(T),
        audience: `${receiver.url}/entitlements`,
        typ: 'gatehouse-webhook+jwt',
      });
      assert.ok(protectedHeader.kid);
      assert.equal(payload.body_sha256, createHash('sha256').update(req.body).digest('base64url'));
      const body = JSON.parse(req.body) as Record<string, unknown>;
      assert.equal(body.claim, 'entitlements');
      assert.equal(body.user_id, userId);
      assert.equal(payload.sub, body.sub);
      return json(res, 200, { value: ['crm', 'erp'] });
    }
    if (req.path === '/slow') {
      await slowReleased;
      return json(res, 200, { value: 'too late' });
    }
    if (req.path === '/fails') return json(res, 500, { error: 'boom' });
    if (req.path === '/not-json') return json(res, 200, 'this is <not> json');
    if (req.path === '/wrong-shape') return json(res, 200, { claims: 'no value member' });
    json(res, 404, {});
  });

  await createTenant(srv, T, 'Claim Co', {
    scopes: [
      {
        name: 'org',
        displayName: 'Your organisation',
        description: 'Department, cost centre and roles.',
        claims: ['department', 'cost_center', 'display_name', 'is_manager', ROLES, 'tier', 'nothing', 'entitlements'],
      },
      {
        name: 'flaky',
        displayName: 'Flaky data',
        description: 'Claims of unreliable services.',
        claims: ['slow_claim', 'failing_claim', 'garbled_claim', 'odd_claim'],
      },
    ],
  });
  web = await createClient(srv, T, {
    name: 'Claim Co Web',
    clientType: 'CONFIDENTIAL',
    redirectUris: [RP],
    grantTypes: ['authorization_code', 'implicit'],
    responseTypes: ['code', 'id_token', 'code id_token'],
    scopes: ['openid', 'profile', 'email', 'org', 'flaky'],
    requireConsent: false,
  });
  userId = await createUser(srv, T, 'ada', PASSWORD, {
    given_name: 'Ada',
    family_name: 'Lovelace',
    email: 'ada@claimco.example',
    attributes: { department: 'R&D', cost_center: '4711', manager: 'yes', empty: '' },
  });
  registerCodeModule(
    {
      claims: {
        roles: (user, client, scopes, tenant) => [
          'reader',
          `${tenant.slug}:${client.clientId}`,
          ...(scopes.includes('org') ? ['org-member'] : []),
          user.username,
        ],
      },
    },
    { tenant: T },
  );

  for (const input of [
    { name: 'department', kind: 'MAPPING', mapping: { path: 'attributes.department', type: 'STRING' } },
    {
      name: 'cost_center',
      kind: 'MAPPING',
      targets: ['ID_TOKEN', 'ACCESS_TOKEN', 'USERINFO'],
      mapping: { path: 'attributes.cost_center', type: 'NUMBER' },
    },
    { name: 'display_name', kind: 'MAPPING', mapping: { template: '{given_name} {family_name}' } },
    { name: 'is_manager', kind: 'MAPPING', targets: ['USERINFO'], mapping: { path: 'attributes.manager', type: 'BOOLEAN' } },
    { name: 'tier', kind: 'MAPPING', targets: ['ACCESS_TOKEN'], mapping: { constant: 'gold' } },
    { name: 'nothing', kind: 'MAPPING', mapping: { path: 'attributes.empty', type: 'STRING' } },
    { name: ROLES, kind: 'CODE', targets: ['ID_TOKEN', 'ACCESS_TOKEN', 'USERINFO'], code: 'roles' },
    { name: 'entitlements', kind: 'WEBHOOK', targets: ['USERINFO'], webhook: { url: `${receiver.url}/entitlements`, cacheTtlSeconds: 60 } },
  ]) {
    const r = await setResolver(input);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  }
});

after(async () => {
  releaseSlow();
  await srv?.close();
  await receiver?.close();
});

describe('mapping and code resolvers', () => {
  test('GraphQL shows the resolvers as configured, defaults filled in', async () => {
    const d = await gqlOk(
      srv,
      `{ tenant(slug: "${T}") { claimResolvers { name kind targets mapping { path template constant type } code webhook { timeoutMs cacheTtlSeconds } } availableCode { claims } } }`,
      {},
      token,
    );
    const byName = Object.fromEntries(d.tenant.claimResolvers.map((r: { name: string }) => [r.name, r]));
    assert.deepEqual(byName.department.targets, ['ID_TOKEN', 'USERINFO']);
    assert.deepEqual(byName.display_name.mapping, { path: null, template: '{given_name} {family_name}', constant: null, type: 'STRING' });
    assert.deepEqual(byName.tier.mapping, { path: null, template: null, constant: 'gold', type: 'STRING' });
    assert.equal(byName[ROLES].code, 'roles');
    assert.deepEqual(byName.entitlements.webhook, { timeoutMs: 1500, cacheTtlSeconds: 60 });
    assert.ok(d.tenant.availableCode.claims.includes('roles'));
  });

  test('code flow: userinfo, ID token and access token each get the claims their resolvers target', async () => {
    const c = await issueCode(srv, T, { clientId: web.clientId, userId, scopes: ['openid', 'org'] });
    const t = await redeem(srv, T, c, [web.clientId, web.clientSecret!]);
    assert.equal(t.status, 200);
    const at = decodePayload(t.body.access_token);
    assert.equal(at.cost_center, 4711, 'a stored "4711" is coerced to a NUMBER');
    assert.equal(at.tier, 'gold');
    assert.deepEqual(at[ROLES], ['reader', `${T}:${web.clientId}`, 'org-member', 'ada']);
    assert.equal(at.department, undefined, 'department does not target ACCESS_TOKEN');
    assert.equal(at.sub, claimsOf(t.body.id_token).sub, 'protocol claims stay the provider’s');

    const id = decodePayload(t.body.id_token);
    // Resolvers targeting ID_TOKEN put their claim in every ID token the scope releases it to.
    assert.equal(id.department, 'R&D');
    assert.equal(id.display_name, 'Ada Lovelace');
    assert.equal(id.is_manager, undefined, 'is_manager targets USERINFO only');
    assert.equal(id.tier, undefined);

    const ui = await userinfo(srv, T, t.body.access_token);
    assert.equal(ui.status, 200);
    assert.deepEqual(ui.body, {
      department: 'R&D',
      cost_center: 4711,
      display_name: 'Ada Lovelace',
      is_manager: true,
      [ROLES]: ['reader', `${T}:${web.clientId}`, 'org-member', 'ada'],
      entitlements: ['crm', 'erp'],
      sub: id.sub,
    });
    assert.equal('nothing' in ui.body, false, 'empty values are dropped');
  });

  test('response_type=id_token: the ID token carries the scope claims', async () => {
    const p = await issue(srv, T, { clientId: web.clientId, userId, responseType: 'id_token', scopes: ['openid', 'org'], nonce: 'n1' });
    const id = decodePayload(p.id_token!);
    assert.equal(id.department, 'R&D');
    assert.equal(id.cost_center, 4711);
    assert.equal(id.display_name, 'Ada Lovelace');
    assert.equal(id.tier, undefined);
    assert.equal(id.nonce, 'n1');
  });

  test('the claims request parameter releases resolver claims one by one', async () => {
    const c = await issueCode(srv, T, {
      clientId: web.clientId,
      userId,
      scopes: ['openid'],
      claims: {
        id_token: { display_name: null, [ROLES]: { essential: true }, attributes: null },
        userinfo: { cost_center: null, tier: null },
      },
    });
    const t = await redeem(srv, T, c, [web.clientId, web.clientSecret!]);
    const id = decodePayload(t.body.id_token);
    assert.equal(id.display_name, 'Ada Lovelace');
    assert.deepEqual(id[ROLES], ['reader', `${T}:${web.clientId}`, 'ada']);
    assert.equal(id.attributes, undefined, 'a raw attribute no scope or resolver names is not requestable');
    assert.equal(id.department, undefined);
    const ui = await userinfo(srv, T, t.body.access_token);
    assert.deepEqual(ui.body, { cost_center: 4711, sub: id.sub }, 'tier targets ACCESS_TOKEN only, even when asked for');
  });

  test('discovery announces the tenant’s scopes and resolvable claims', async () => {
    const d = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.ok(d.scopes_supported!.includes('org'));
    assert.ok(d.claims_supported!.includes(ROLES));
    assert.ok(d.claims_supported!.includes('display_name'));
  });

  test('code resolvers are loaded from tenants/<slug>/resolvers.ts', async () => {
    const dir = resolve('test-output', `resolvers-${randomBytes(4).toString('hex')}`);
    mkdirSync(join(dir, 'loadco'), { recursive: true });
    mkdirSync(join(dir, 'shared'), { recursive: true });
    writeFileSync(
      join(dir, 'loadco', 'resolvers.ts'),
      `export default { claims: { badge: (user: { username: string }) => 'badge-' + user.username } };\n`,
    );
    writeFileSync(join(dir, 'shared', 'resolvers.ts'), `export default { claims: { everywhere: () => 42 } };\n`);
    const loaded = await loadCodeResolvers(dir);
    assert.equal(loaded.length, 2);
    await createTenant(srv, 'loadco', 'Load Co', { scopes: [{ name: 'badge', claims: ['badge', 'everywhere'] }] });
    const client = await createClient(srv, 'loadco', {
      name: 'L',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes: ['openid', 'badge'],
      requireConsent: false,
    });
    const uid = await createUser(srv, 'loadco', 'lin', PASSWORD);
    assert.equal((await setResolver({ name: 'badge', kind: 'CODE', code: 'badge' }, 'loadco')).errors, undefined);
    assert.equal((await setResolver({ name: 'everywhere', kind: 'CODE', code: 'everywhere' }, 'loadco')).errors, undefined);
    // A tenant's own code is not another tenant's.
    assert.equal((await setResolver({ name: 'badge', kind: 'CODE', code: 'badge' })).errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const c = await issueCode(srv, 'loadco', { clientId: client.clientId, userId: uid, scopes: ['openid', 'badge'] });
    const t = await redeem(srv, 'loadco', c, [client.clientId, client.clientSecret!]);
    assert.deepEqual((await userinfo(srv, 'loadco', t.body.access_token)).body, { badge: 'badge-lin', everywhere: 42, sub: uid });
  });

  test('bad definitions are refused with BAD_USER_INPUT and the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', kind: 'CODE', code: 'no-such-resolver' }, 'code'],
      [{ name: 'sub', kind: 'MAPPING', mapping: { constant: 'me' } }, 'name'],
      [{ name: 'nonce', kind: 'CODE', code: 'roles' }, 'name'],
      [{ name: 'x', kind: 'MAPPING', mapping: { path: 'attributes.x' } }, 'mapping.type'],
      [{ name: 'x', kind: 'MAPPING', mapping: { path: 'a', template: '{b}', type: 'STRING' } }, 'mapping'],
      [{ name: 'x', kind: 'MAPPING', mapping: { constant: 'abc', type: 'NUMBER' } }, 'mapping.constant'],
      [{ name: 'x', kind: 'MAPPING', mapping: { template: 'no placeholders' } }, 'mapping.template'],
      [{ name: 'x', kind: 'WEBHOOK', webhook: { url: 'http://claims.example.com/x' } }, 'webhook.url'],
      [{ name: 'x', kind: 'WEBHOOK', webhook: { url: 'https://claims.example.com/x', timeoutMs: 60000 } }, 'webhook.timeoutMs'],
      [{ name: 'x', kind: 'WEBHOOK', code: 'roles', webhook: { url: 'https://claims.example.com/x' } }, 'code'],
      [{ name: 'has space', kind: 'MAPPING', mapping: { constant: 1 } }, 'name'],
    ];
    for (const [input, field] of cases) {
      const r = await setResolver(input);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(r.errors?.[0]?.extensions?.field, field, JSON.stringify(input));
    }
  });
});

describe('webhook resolvers', () => {
  test('answers are cached per user, client and scopes', async () => {
    const before = webhookCalls;
    for (let i = 0; i < 2; i++) {
      const c = await issueCode(srv, T, { clientId: web.clientId, userId, scopes: ['openid', 'org', 'email'] });
      const t = await redeem(srv, T, c, [web.clientId, web.clientSecret!]);
      assert.deepEqual((await userinfo(srv, T, t.body.access_token)).body.entitlements, ['crm', 'erp']);
    }
    assert.equal(webhookCalls - before, 1);
  });

  test('a webhook that times out, fails, answers garbage or the wrong shape: the login works, the claim is absent, the failure is recorded', async () => {
    for (const [name, path, extra] of [
      ['slow_claim', '/slow', { timeoutMs: 300 }],
      ['failing_claim', '/fails', {}],
      ['garbled_claim', '/not-json', {}],
      ['odd_claim', '/wrong-shape', {}],
    ] as const) {
      const r = await setResolver({
        name,
        kind: 'WEBHOOK',
        targets: ['ID_TOKEN', 'USERINFO'],
        webhook: { url: `${receiver.url}${path}`, ...extra },
      });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    // The slow receiver never answers during the test: the login completing, without its claim
    // (reason `timeout` below), is what shows that a slow webhook costs at most its timeout.
    const { end } = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'ada',
      password: PASSWORD,
      scope: 'openid org flaky',
    });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const code = responseParams((end as { url: string }).url).get('code');
    assert.ok(code, 'the login succeeded');
    const t = await redeemCode(srv, T, web, code, RP);
    assert.equal(t.status, 200);
    const id = claimsOf(t.body.id_token);
    for (const claim of ['slow_claim', 'failing_claim', 'garbled_claim', 'odd_claim']) assert.equal(claim in id, false, claim);
    assert.equal(id.department, 'R&D', 'the other claims are there');
    const ui = await userinfo(srv, T, t.body.access_token);
    assert.equal(ui.status, 200);
    for (const claim of ['slow_claim', 'failing_claim', 'garbled_claim', 'odd_claim']) assert.equal(claim in ui.body, false, claim);

    const reasons: Record<string, string> = {
      slow_claim: 'timeout',
      failing_claim: 'http_status',
      garbled_claim: 'bad_json',
      odd_claim: 'bad_shape',
    };
    for (const [claim, reason] of Object.entries(reasons)) {
      const e = await waitForEvent(srv, T, 'CLAIM_RESOLVER_FAILED', (ev) => ev.data.claim === claim);
      assert.equal(e.data.reason, reason, claim);
      assert.equal(e.data.kind, 'WEBHOOK');
      assert.equal(e.userId, userId);
      assert.equal(e.clientId, web.clientId);
    }
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /gatehouse_claim_resolver_failures_total\{kind="WEBHOOK",reason="timeout"\} [1-9]/);
    assert.match(metrics, /gatehouse_claim_resolver_failures_total\{kind="WEBHOOK",reason="http_status"\} [1-9]/);
  });
});
