import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultDeliveryPolicy } from '../src/events/event-delivery.js';
import { EventBus } from '../src/events/events.js';
import { Outbox } from '../src/events/outbox.js';
import { timeOrderedId } from '../src/store/ids.js';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk, type CreatedClient } from './helpers/admin.js';
import { RP } from './helpers/authorize-fixture.js';
import { Browser, loginForm, responseParams, type Page } from './helpers/browser-fetch.js';
import {
  browserLogin,
  json,
  redeemCode,
  startReceiver,
  tenantEvents,
  waitFor,
  waitForEvent,
  type ReceivedRequest,
  type Receiver,
} from './helpers/extensions.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Events of a tenant: recorded for logins, consents, tokens, logouts, keys and clients;
 * queryable as a GraphQL connection with filters; delivered to the tenant's event
 * webhooks with a Stripe-like HMAC signature, retried with back-off, logged, and resumed
 * by another process after a restart.
 */
const T = 'eventco';
const PASSWORD = 'event test password 1';
let srv: TestServer;
let token: string;
let web: CreatedClient;
let userId: string;
let receiver: Receiver;
/** Path → how many times it answered 500 before answering 200. */
const failuresBeforeSuccess: Record<string, number> = { '/flaky': 2 };
const seen: Record<string, number> = {};
let downPathUp = false;
/** The slow receiver answers only once this is released (after the login it must not delay). */
let releaseHang!: () => void;
const hangReleased = new Promise<void>((resolve) => (releaseHang = resolve));
let hangAnswered = false;
const secrets: Record<string, string> = {};
/** Shared with the second process of the restart test. */
const MASTER = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') };

/** The receiver's check of `Gatehouse-Signature: t=…,v1=…` (HMAC-SHA256 of "<t>.<body>"). */
function validSignature(req: ReceivedRequest, secret: string): boolean {
  const header = String(req.headers['gatehouse-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  if (!parts.t || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${parts.t}.${req.body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const SET_WEBHOOK = `mutation($t: String!, $i: EventWebhookInput!) { setEventWebhook(tenant: $t, input: $i) { webhook { name url eventTypes enabled } secret } }`;

async function deliveries(s: TestServer, webhook: string) {
  const d = await gqlOk(
    s,
    `query($t: String!, $w: String) { eventDeliveries(tenant: $t, webhook: $w, first: 100) { edges { node { id webhook eventId eventType status attempts nextAttemptAt deliveredAt attemptLog { statusCode error durationMs } } } } }`,
    { t: T, w: webhook },
  );
  return d.eventDeliveries.edges.map((e: { node: Record<string, any> }) => e.node) as Record<string, any>[];
}

before(async () => {
  srv = await startTestServer({
    label: 'events',
    env: { ...MASTER, GATEHOUSE_WEBHOOK_RETRY_SECONDS: '0.2', GATEHOUSE_WEBHOOK_MAX_ATTEMPTS: '4' },
  });
  token = await adminToken(srv);
  receiver = await startReceiver(async (req, res) => {
    seen[req.path] = (seen[req.path] ?? 0) + 1;
    if (req.path === '/hang') {
      await hangReleased; // holds the delivery open until the login has finished
      hangAnswered = true;
      return json(res, 200, {});
    }
    if (req.path === '/down') return json(res, downPathUp ? 200 : 503, {});
    if (req.path === '/always-fails') return json(res, 500, {});
    const fails = failuresBeforeSuccess[req.path] ?? 0;
    if (seen[req.path]! <= fails) return json(res, 500, { error: 'not yet' });
    json(res, 200, { ok: true });
  });
  await createTenant(srv, T, 'Event Co');
  web = await createClient(srv, T, { name: 'Event Co Web', clientType: 'CONFIDENTIAL', redirectUris: [RP], scopes: ['openid', 'profile'] });
  userId = await createUser(srv, T, 'eve', PASSWORD, { name: 'Eve' });
  for (const [name, path, eventTypes] of [
    ['all', '/all', []],
    ['logins', '/logins', ['LOGIN_SUCCESS', 'LOGIN_FAILURE']],
    ['flaky', '/flaky', ['CLIENT_CHANGED']],
    ['hopeless', '/always-fails', ['KEY_ROTATED']],
    ['slow', '/hang', ['LOGIN_SUCCESS']],
  ] as const) {
    const d = await gqlOk(srv, SET_WEBHOOK, { t: T, i: { name, url: `${receiver.url}${path}`, eventTypes } }, token);
    assert.match(d.setEventWebhook.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    secrets[name] = d.setEventWebhook.secret;
  }
});

after(async () => {
  releaseHang();
  await srv?.close();
  await receiver?.close();
});

describe('event webhooks are configured through GraphQL', () => {
  test('the secret is shown once; changing a webhook keeps it; rotating makes a new one', async () => {
    const again = await gqlOk(srv, SET_WEBHOOK, { t: T, i: { name: 'all', url: `${receiver.url}/all`, eventTypes: [] } }, token);
    assert.equal(again.setEventWebhook.secret, null);
    const d = await gqlOk(srv, `{ tenant(slug: "${T}") { eventWebhooks { name url eventTypes enabled } } }`, {}, token);
    assert.deepEqual(
      d.tenant.eventWebhooks.map((w: { name: string }) => w.name),
      ['all', 'flaky', 'hopeless', 'logins', 'slow'],
    );
    assert.doesNotMatch(JSON.stringify(d), /whsec_/);
    const bad = await gql(srv, SET_WEBHOOK, { t: T, i: { name: 'x', url: 'http://receiver.example.com/hook' } }, token);
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0]?.extensions?.field, 'url');
  });
});

describe('events are recorded and delivered', () => {
  test('login failure and success, consent given, token issued; signed deliveries; a hanging receiver slows nothing', async () => {
    const browser = new Browser();
    // One wrong password (runFlow would keep retrying it).
    const landing = await browser.navigate(
      `${srv.issuer(T)}/authorize?${new URLSearchParams({ client_id: web.clientId, redirect_uri: RP, response_type: 'code', scope: 'openid' })}`,
      srv.url,
    );
    const form = loginForm((landing as { page: Page }).page)!;
    const failed = await browser.submit(form, srv.url, { username: 'eve', password: 'wrong password!' });
    assert.equal(failed.kind, 'page');
    const { end } = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'eve',
      password: PASSWORD,
      scope: 'openid profile',
      consent: 'allow',
      browser,
    });
    const code = responseParams((end as { url: string }).url).get('code');
    assert.ok(code);
    assert.equal((await redeemCode(srv, T, web, code, RP)).status, 200);
    // The login finished while the slow receiver, which got the LOGIN_SUCCESS delivery, had not answered.
    await waitFor(() => (seen['/hang'] ?? 0) > 0, 10_000, 'the delivery to the slow receiver');
    assert.equal(hangAnswered, false, 'the slow webhook did not delay the login');
    releaseHang();

    const success = await waitForEvent(srv, T, 'LOGIN_SUCCESS', (e) => e.userId === userId);
    assert.equal(success.clientId, web.clientId);
    const failure = await waitForEvent(srv, T, 'LOGIN_FAILURE');
    assert.equal(failure.data.username, 'eve');
    assert.equal(failure.data.reason, 'invalid_credentials');
    assert.doesNotMatch(JSON.stringify(failure), /wrong password/);
    const consent = await waitForEvent(srv, T, 'CONSENT_GIVEN', (e) => e.userId === userId);
    assert.deepEqual(consent.data.scopes, ['openid', 'profile']);
    const issued = await waitForEvent(srv, T, 'TOKEN_ISSUED', (e) => e.userId === userId);
    assert.equal(issued.data.grantType, 'authorization_code');
    assert.deepEqual(issued.data.tokens, ['access_token', 'id_token']);

    // Every event reaches `all`; only logins reach `logins`; each signed with its webhook's secret.
    const toAll = await waitFor(
      () => receiver.requests.filter((r) => r.path === '/all').length >= 4 && receiver.requests.filter((r) => r.path === '/all'),
      10_000,
      'deliveries',
    );
    for (const r of toAll) {
      assert.ok(validSignature(r, secrets.all!), 'valid signature');
      assert.equal(validSignature(r, secrets.logins!), false, 'another webhook’s secret does not verify it');
    }
    const types = toAll.map((r) => (JSON.parse(r.body) as { type: string }).type);
    for (const t of ['LOGIN_FAILURE', 'LOGIN_SUCCESS', 'CONSENT_GIVEN', 'TOKEN_ISSUED']) assert.ok(types.includes(t), t);
    const body = JSON.parse(toAll.find((r) => r.body.includes('"LOGIN_SUCCESS"'))!.body) as Record<string, any>;
    assert.deepEqual(Object.keys(body).sort(), ['at', 'clientId', 'data', 'id', 'tenant', 'type', 'userId']);
    assert.equal(body.tenant, T);
    assert.equal(body.id, success.id);
    const r0 = toAll[0]!;
    assert.equal(r0.headers['gatehouse-event-id'], (JSON.parse(r0.body) as { id: string }).id);
    const toLogins = await waitFor(
      () => receiver.requests.filter((r) => r.path === '/logins').length >= 2 && receiver.requests.filter((r) => r.path === '/logins'),
    );
    assert.deepEqual(toLogins.map((r) => (JSON.parse(r.body) as { type: string }).type).sort(), ['LOGIN_FAILURE', 'LOGIN_SUCCESS']);
    assert.ok(toLogins.every((r) => validSignature(r, secrets.logins!)));
  });

  test('consent declined', async () => {
    const { end } = await browserLogin(srv, T, {
      clientId: web.clientId,
      redirectUri: RP,
      username: 'eve',
      password: PASSWORD,
      scope: 'openid profile',
      consent: 'deny',
      extra: { prompt: 'consent' },
    });
    assert.equal(responseParams((end as { url: string }).url).get('error'), 'access_denied');
    await waitForEvent(srv, T, 'CONSENT_DECLINED', (e) => e.userId === userId && e.clientId === web.clientId);
  });

  test('a failed delivery is retried with back-off until it succeeds; the delivery log shows each attempt', async () => {
    await gqlOk(
      srv,
      `mutation($t: String!, $c: String!) { updateClient(tenant: $t, clientId: $c, input: { name: "Event Co Web 2" }) { clientId } }`,
      { t: T, c: web.clientId },
      token,
    );
    const changed = await waitForEvent(srv, T, 'CLIENT_CHANGED', (e) => e.clientId === web.clientId && e.data.change === 'updated');
    const d = await waitFor(
      async () => (await deliveries(srv, 'flaky')).find((x) => x.eventId === changed.id && x.status === 'DELIVERED'),
      15_000,
      'the flaky delivery',
    );
    assert.equal(d.attempts, 3);
    assert.deepEqual(
      d.attemptLog.map((a: { statusCode: number }) => a.statusCode),
      [500, 500, 200],
    );
    assert.equal(d.nextAttemptAt, null);
    const received = receiver.requests.filter((r) => r.path === '/flaky');
    assert.equal(received.length, 3);
    assert.ok(received.every((r) => validSignature(r, secrets.flaky!)));
    assert.equal(new Set(received.map((r) => r.body)).size, 1, 'the same body each time');
    assert.deepEqual(
      received.map((r) => r.headers['gatehouse-delivery-attempt']),
      ['1', '2', '3'],
    );
  });

  test('a receiver that keeps failing: FAILED after the last attempt', async () => {
    await gqlOk(srv, `mutation { rotateSigningKeys(tenant: "${T}") { slug } }`, {}, token);
    const rotated = await waitForEvent(srv, T, 'KEY_ROTATED');
    const d = await waitFor(
      async () => (await deliveries(srv, 'hopeless')).find((x) => x.eventId === rotated.id && x.status === 'FAILED'),
      15_000,
      'giving up',
    );
    assert.equal(d.attempts, 4);
    assert.ok(d.attemptLog.every((a: { statusCode: number }) => a.statusCode === 500));
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /gatehouse_event_delivery_attempts_total\{outcome="failed"\} [1-9]/);
    assert.match(metrics, /gatehouse_event_delivery_attempts_total\{outcome="retry"\} [1-9]/);
  });

  test('the event log is a connection with filters', async () => {
    const all = await tenantEvents(srv, T);
    assert.ok(all.length >= 6);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.id > all[i]!.id, 'newest first');
    const page1 = await gqlOk(
      srv,
      `{ events(tenant: "${T}", first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
      {},
      token,
    );
    assert.equal(page1.events.edges.length, 2);
    assert.equal(page1.events.pageInfo.hasNextPage, true);
    const page2 = await gqlOk(
      srv,
      `query($a: String) { events(tenant: "${T}", first: 2, after: $a) { edges { node { id } } } }`,
      { a: page1.events.pageInfo.endCursor },
      token,
    );
    assert.equal(page2.events.edges[0].node.id, all[2]!.id);

    const mine = await tenantEvents(srv, T, { userId });
    assert.ok(mine.length >= 3 && mine.every((e) => e.userId === userId));
    const client = await tenantEvents(srv, T, { clientId: web.clientId, types: ['CLIENT_CHANGED', 'CONSENT_DECLINED'] });
    assert.deepEqual([...new Set(client.map((e) => e.type))].sort(), ['CLIENT_CHANGED', 'CONSENT_DECLINED']);
    const future = await tenantEvents(srv, T, { since: new Date(Date.now() + 60_000).toISOString() });
    assert.deepEqual(future, []);
    const anonymous = await gql(srv, `{ events(tenant: "${T}") { edges { node { id } } } }`, {}, null);
    assert.equal(anonymous.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});

describe('events of several tenants are written together', () => {
  test("one batch, each event in its own tenant's log only", async () => {
    await createTenant(srv, 'eventco-two');
    const [one, two] = [(await srv.rt.tenants.get(T))!, (await srv.rt.tenants.get('eventco-two'))!];
    const marker = `batch-${Date.now()}`;
    // Emitted in the same tick: they share one insert.
    const [a, b] = await Promise.all([
      srv.rt.events.record(one, { type: 'CLIENT_CHANGED', data: { marker, side: 'one' } }),
      srv.rt.events.record(two, { type: 'CLIENT_CHANGED', data: { marker, side: 'two' } }),
    ]);
    const mine = async (slug: string) =>
      (await tenantEvents(srv, slug, { types: ['CLIENT_CHANGED'] })).filter((e) => JSON.stringify(e.data).includes(marker));
    assert.deepEqual(
      (await mine(T)).map((e) => e.id),
      [a._id],
    );
    assert.deepEqual(
      (await mine('eventco-two')).map((e) => e.id),
      [b._id],
    );
  });
});

describe('events journaled by a stopped process are written by the next one', () => {
  test('dates as epoch milliseconds (this version) and as ISO strings (earlier versions) are written as the same dates', async () => {
    const tenant = (await srv.rt.tenants.get(T))!;
    const dir = join(mkdtempSync(join(tmpdir(), 'gh-event-journal-')), 'outbox');
    mkdirSync(dir);
    const at = new Date(Date.now() - 60_000);
    const expiresAt = new Date(at.getTime() + 86_400_000);
    const marker = `journal-${Date.now()}`;
    const body = (side: string, dates: (d: Date) => unknown) => {
      const id = timeOrderedId(at.getTime());
      const rec = { _id: id, tenantId: tenant.id, type: 'CLIENT_CHANGED', at: dates(at), userId: null, clientId: null };
      return {
        put: { kind: 'event', id, body: { ...rec, data: JSON.stringify({ marker, side }), expiresAt: dates(expiresAt), tenantSlug: T } },
      };
    };
    // pid 2^22 + 1 is above Linux's pid_max: never a live process.
    const lines = [body('numbers', (d) => d.getTime()), body('strings', (d) => d.toISOString())].map((e) => JSON.stringify(e));
    writeFileSync(join(dir, `outbox-${srv.dbName}-4194305-00000000.jsonl`), lines.join('\n') + '\n');
    const outbox = new Outbox({ dir, database: srv.dbName, maxPending: 100, writeTimeoutMs: 5_000, log: srv.rt.log });
    const bus = new EventBus(
      srv.rt.store,
      srv.rt.envelope,
      srv.rt.tenants,
      srv.rt.log,
      { ...defaultDeliveryPolicy(1, 1), pollMs: 60_000 },
      outbox,
    );
    try {
      await outbox.open();
      await outbox.flush();
      const found = await waitFor(
        async () => {
          const mine = (await tenantEvents(srv, T, { types: ['CLIENT_CHANGED'] })).filter((e) => JSON.stringify(e.data).includes(marker));
          return mine.length === 2 ? mine : undefined;
        },
        10_000,
        'the replayed events',
      );
      for (const e of found) assert.equal(new Date(e.at).getTime(), at.getTime());
    } finally {
      await bus.stop();
      await outbox.stop();
    }
  });
});

describe('deliveries survive a restart', () => {
  test('a pending delivery left by a stopped process is sent by the next one', async () => {
    await gqlOk(srv, SET_WEBHOOK, { t: T, i: { name: 'down', url: `${receiver.url}/down`, eventTypes: ['KEY_REVOKED'] } }, token);
    const keys = await gqlOk(srv, `{ tenant(slug: "${T}") { signingKeys { kid status } } }`, {}, token);
    const next = keys.tenant.signingKeys.find((k: { status: string }) => k.status === 'NEXT');
    await gqlOk(srv, `mutation($k: String!) { revokeSigningKey(tenant: "${T}", kid: $k) { slug } }`, { k: next.kid }, token);
    const revoked = await waitForEvent(srv, T, 'KEY_REVOKED');
    await waitFor(
      async () => (await deliveries(srv, 'down')).find((x) => x.eventId === revoked.id && x.attempts >= 1),
      10_000,
      'a first failed attempt',
    );
    // The process stops with the delivery pending; the receiver comes back.
    await srv.rt.events.stop();
    downPathUp = true;
    const second = await startTestServer({
      label: 'events2',
      dbName: srv.dbName,
      env: { ...MASTER, GATEHOUSE_WEBHOOK_RETRY_SECONDS: '0.2' },
    });
    try {
      second.rt.events.start();
      const d = await waitFor(
        async () => (await deliveries(second, 'down')).find((x) => x.eventId === revoked.id && x.status === 'DELIVERED'),
        15_000,
        'the resumed delivery',
      );
      assert.equal(d.attemptLog.at(-1).statusCode, 200);
    } finally {
      await second.close();
    }
  });
});
