import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { Browser } from './helpers/browser-fetch.js';
import { signIn, type RpClient, type SignedIn } from './helpers/rp-session.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ATTEMPT_TIMEOUT_MS } from '../src/oidc/end-session/back-channel.js';

/**
 * Back-Channel Logout 1.0 (logout tokens POSTed to each client of the ended session,
 * validated here as an RP would: with jose against the tenant's JWKS) and Front-Channel
 * Logout 1.0 (iframes on the signed-out page), plus the client metadata behind them.
 */
const RP_CB = 'https://rp.example.com/cb';
const RP_OUT = 'https://rp.example.com/logged-out';
const PASSWORD = 'back channel password 1';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Received {
  name: string;
  at: number;
  contentType: string | undefined;
  body: URLSearchParams;
}

let srv: TestServer;
let rp: Server;
let rpPort: number;
const received: Received[] = [];
const frontHits: URL[] = [];
const flakyAnswers = new Map<string, number[]>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });
}

/** The relying parties' logout endpoints: /bc/{name} (back-channel), /fc/{name} (front-channel). */
function startRp(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a test RP: a rejection here surfaces as the test's failure
  rp = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://rp');
    const [, kind, name] = url.pathname.split('/');
    if (kind === 'fc') {
      frontHits.push(url);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>rp logout</title>');
      return;
    }
    const body = await readBody(req);
    received.push({ name: name!, at: Date.now(), contentType: req.headers['content-type'], body: new URLSearchParams(body) });
    if (name === 'hang') return; // never answers
    const scripted = flakyAnswers.get(name!);
    const status = scripted?.length ? scripted.shift()! : name === 'refuse' ? 400 : 200;
    res.writeHead(status, { 'cache-control': 'no-store' }).end();
  });
  return new Promise((resolve) => rp.listen(0, '127.0.0.1', () => resolve()));
}

const rpUrl = (path: string, host = '127.0.0.1') => `http://${host}:${rpPort}${path}`;

const clients: Record<string, RpClient> = {};

async function makeClient(name: string, extra: Record<string, unknown>): Promise<void> {
  const c = await createClient(srv, 'acme', {
    name: `RP ${name}`,
    clientType: 'CONFIDENTIAL',
    requireConsent: false,
    scopes: ['openid', 'profile'],
    redirectUris: [RP_CB],
    postLogoutRedirectUris: [RP_OUT],
    ...extra,
  });
  clients[name] = {
    ...c,
    redirectUri: RP_CB,
    ...(extra.idTokenSignedResponseAlg ? { idTokenAlg: extra.idTokenSignedResponseAlg as string } : {}),
  };
}

before(async () => {
  await startRp();
  rpPort = (rp.address() as AddressInfo).port;
  srv = await startTestServer({ label: 'backchannel' });
  await createTenant(srv, 'acme', 'Acme Corporation', { dynamicRegistration: 'OPEN' });
  await createUser(srv, 'acme', 'alice', PASSWORD);
  await makeClient('a', { backchannelLogoutUri: rpUrl('/bc/a'), backchannelLogoutSessionRequired: true });
  await makeClient('flaky', { backchannelLogoutUri: rpUrl('/bc/flaky') });
  await makeClient('refuse', { backchannelLogoutUri: rpUrl('/bc/refuse') });
  await makeClient('hang', { backchannelLogoutUri: rpUrl('/bc/hang') });
  await makeClient('hs', { backchannelLogoutUri: rpUrl('/bc/hs'), idTokenSignedResponseAlg: 'HS256' });
  await makeClient('fc', { frontchannelLogoutUri: rpUrl('/fc/fc?x=1'), frontchannelLogoutSessionRequired: true });
  await makeClient('fc2', { frontchannelLogoutUri: rpUrl('/fc/fc2', 'localhost') });
  await makeClient('plain', {});
});
after(async () => {
  await srv?.close();
  rp?.closeAllConnections();
  await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
});

const alice = { username: 'alice', password: PASSWORD };

async function signInTo(browser: Browser, names: string[]): Promise<Record<string, SignedIn>> {
  const out: Record<string, SignedIn> = {};
  for (const n of names) out[n] = await signIn(srv, browser, 'acme', clients[n]!, alice);
  return out;
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail('not received in time');
    await sleep(25);
  }
}

/**
 * A user held up by an RP waits for its attempt's timeout; one who is not gets the answer
 * within the short user wait. A client-side deadline between the two (instead of measuring
 * the time taken) makes the answer itself the assertion.
 */
const notHeldUp = () => AbortSignal.timeout(ATTEMPT_TIMEOUT_MS - 500);

/** The stored deliveries to one client since a moment (their state, not the time, tells whether a retry is due). */
const deliveryRows = (name: string, since: number) =>
  srv.db
    .collection('logout_deliveries')
    .find({ clientId: clients[name]!.clientId, createdAt: { $gte: new Date(since) } })
    .toArray();

const tokensFor = (name: string, since: number) => received.filter((r) => r.name === name && r.at >= since);

/** What an RP does with a logout token (Back-Channel Logout 1.0 section 2.6). */
async function validateLogoutToken(token: string, clientId: string, key: 'jwks' | string): Promise<JWTPayload> {
  const issuer = srv.issuer('acme');
  const options = { issuer, audience: clientId, typ: 'logout+jwt', maxTokenAge: '5 minutes' };
  const { payload } =
    key === 'jwks'
      ? await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), options)
      : await jwtVerify(token, new TextEncoder().encode(key), { ...options, algorithms: ['HS256'] });
  assert.deepEqual((payload.events as Record<string, unknown>)[EVENT], {});
  assert.equal(payload.nonce, undefined, 'a logout token never carries a nonce');
  assert.equal(typeof payload.jti, 'string');
  assert.ok(payload.sid || payload.sub);
  assert.ok(payload.exp! > payload.iat! && payload.exp! - payload.iat! <= 300, 'short-lived');
  return payload;
}

describe('client metadata', () => {
  test('GraphQL stores, returns and removes the logout URIs; bad URIs are refused', async () => {
    const fields = 'clientId backchannelLogoutUri backchannelLogoutSessionRequired frontchannelLogoutUri frontchannelLogoutSessionRequired';
    const created = await gqlOk<{ createClient: { client: Record<string, unknown> } }>(
      srv,
      `mutation($input: CreateClientInput!) { createClient(tenant: "acme", input: $input) { client { ${fields} } } }`,
      {
        input: {
          name: 'Metadata',
          clientType: 'CONFIDENTIAL',
          redirectUris: [RP_CB],
          backchannelLogoutUri: 'https://rp.example.com/bc?tenant=acme',
          backchannelLogoutSessionRequired: true,
          frontchannelLogoutUri: 'https://rp.example.com/fc',
        },
      },
    );
    const c = created.createClient.client;
    assert.equal(c.backchannelLogoutUri, 'https://rp.example.com/bc?tenant=acme');
    assert.equal(c.backchannelLogoutSessionRequired, true);
    assert.equal(c.frontchannelLogoutUri, 'https://rp.example.com/fc');
    assert.equal(c.frontchannelLogoutSessionRequired, false, 'defaults to false');

    const updated = await gqlOk<{ updateClient: Record<string, unknown> }>(
      srv,
      `mutation($id: String!) { updateClient(tenant: "acme", clientId: $id, input: { backchannelLogoutUri: null, frontchannelLogoutSessionRequired: true }) { ${fields} } }`,
      { id: c.clientId },
    );
    assert.equal(updated.updateClient.backchannelLogoutUri, null);
    assert.equal(updated.updateClient.backchannelLogoutSessionRequired, true, 'omitted fields keep their value');
    assert.equal(updated.updateClient.frontchannelLogoutSessionRequired, true);

    const token = await adminToken(srv);
    for (const [field, value] of [
      ['backchannelLogoutUri', 'https://rp.example.com/bc#frag'],
      ['frontchannelLogoutUri', 'ftp://rp.example.com/fc'],
      ['backchannelLogoutUri', 'javascript:alert(1)'],
    ] as const) {
      const r = await gql(
        srv,
        `mutation($id: String!, $v: URL) { updateClient(tenant: "acme", clientId: $id, input: { ${field}: $v }) { clientId } }`,
        { id: c.clientId, v: value },
        token,
      );
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${field}=${value}`);
    }
  });

  test('dynamic registration keeps the logout metadata under its RFC names and refuses a fragment', async () => {
    const register = (body: Record<string, unknown>) =>
      fetch(`${srv.issuer('acme')}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await register({
      redirect_uris: [RP_CB],
      backchannel_logout_uri: 'https://rp.example.com/bc',
      backchannel_logout_session_required: true,
      frontchannel_logout_uri: 'https://rp.example.com/fc',
      frontchannel_logout_session_required: true,
    });
    assert.equal(ok.status, 201);
    const view = (await ok.json()) as Record<string, unknown>;
    assert.equal(view.backchannel_logout_uri, 'https://rp.example.com/bc');
    assert.equal(view.backchannel_logout_session_required, true);
    assert.equal(view.frontchannel_logout_uri, 'https://rp.example.com/fc');
    assert.equal(view.frontchannel_logout_session_required, true);
    const q = await gqlOk<{ client: Record<string, unknown> }>(
      srv,
      `query($id: String!) { client(tenant: "acme", clientId: $id) { backchannelLogoutUri frontchannelLogoutSessionRequired } }`,
      {
        id: view.client_id,
      },
    );
    assert.equal(q.client.backchannelLogoutUri, 'https://rp.example.com/bc');
    assert.equal(q.client.frontchannelLogoutSessionRequired, true);

    const bad = await register({ redirect_uris: [RP_CB], backchannel_logout_uri: 'https://rp.example.com/bc#x' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client_metadata');
  });
});

describe('back-channel logout', () => {
  test('every client of the session gets a valid logout token; 500 is retried, 400 is not', async () => {
    const since = Date.now();
    flakyAnswers.set('flaky', [500]);
    const browser = new Browser();
    const s = await signInTo(browser, ['a', 'flaky', 'refuse', 'hs', 'plain']);
    const page = await browser.request(
      oidc.buildEndSessionUrl(s.a!.config, { id_token_hint: s.a!.idToken, post_logout_redirect_uri: RP_OUT, state: 'bc' }).href,
      { signal: notHeldUp() },
    );
    assert.equal(page.status, 303, 'the user is not held up');
    assert.equal(page.headers.get('location'), `${RP_OUT}?state=bc`);

    await until(() => tokensFor('a', since).length === 1 && tokensFor('hs', since).length === 1 && tokensFor('flaky', since).length === 2);
    const [a] = tokensFor('a', since);
    assert.equal(a!.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual([...a!.body.keys()], ['logout_token']);
    const token = a!.body.get('logout_token')!;
    assert.equal(decodeProtectedHeader(token).typ, 'logout+jwt');
    const payload = await validateLogoutToken(token, clients.a!.clientId, 'jwks');
    assert.equal(payload.sid, s.a!.sid, 'the sid of the session the ID token named');
    assert.equal(payload.sub, s.a!.sub);

    const hsPayload = await validateLogoutToken(
      tokensFor('hs', since)[0]!.body.get('logout_token')!,
      clients.hs!.clientId,
      clients.hs!.clientSecret!,
    );
    assert.equal(hsPayload.sid, s.a!.sid);
    assert.equal(
      decodeProtectedHeader(tokensFor('hs', since)[0]!.body.get('logout_token')!).alg,
      'HS256',
      'signed like the client’s ID tokens',
    );

    const [first, retry] = tokensFor('flaky', since);
    assert.ok(retry!.at - first!.at >= 900, 'retried after a back-off');
    assert.equal(retry!.body.get('logout_token'), first!.body.get('logout_token'), 'the same token is retried');
    await validateLogoutToken(retry!.body.get('logout_token')!, clients.flaky!.clientId, 'jwks');

    // The 400 ended the delivery: no further attempt is scheduled (rather than waiting to see none come).
    await until(async () => (await deliveryRows('refuse', since)).some((d) => d.status === 'FAILED'));
    const [refused] = await deliveryRows('refuse', since);
    assert.equal(refused!.attempts, 1);
    assert.equal(refused!.nextAttemptAt, null);
    assert.equal(tokensFor('refuse', since).length, 1, 'a 400 is the RP’s answer, not a failure to retry');
    assert.equal(tokensFor('plain', since).length, 0);
    assert.equal(decodeJwt(token).aud, clients.a!.clientId);
  });

  test('an RP that never answers does not hold up the user', async () => {
    const since = Date.now();
    const browser = new Browser();
    const s = await signInTo(browser, ['hang', 'a']);
    const page = await browser.request(
      oidc.buildEndSessionUrl(s.hang!.config, { id_token_hint: s.hang!.idToken, post_logout_redirect_uri: RP_OUT }).href,
      { signal: notHeldUp() },
    );
    assert.equal(page.status, 303, 'answered before the hanging RP’s attempt timed out');
    await until(() => tokensFor('hang', since).length === 1 && tokensFor('a', since).length === 1);
  });

  test('a confirmed logout notifies too, and two concurrent logouts notify once', async () => {
    const since = Date.now();
    const browser = new Browser();
    await signInTo(browser, ['a']);
    const pages = await Promise.all([0, 1].map(() => browser.request(`${srv.issuer('acme')}/end_session`)));
    const forms = pages.map((p) => /name="csrf_token" value="([^"]+)"/.exec(p.body)![1]!);
    const done = await Promise.all(
      forms.map((csrf) => browser.request(`${srv.issuer('acme')}/end_session`, { form: { csrf_token: csrf, decision: 'logout' } })),
    );
    assert.deepEqual(
      done.map((d) => d.status),
      [200, 200],
    );
    await until(() => tokensFor('a', since).length >= 1);
    // Every stored delivery has been attempted: exactly one was made for the two logouts.
    await until(async () => (await deliveryRows('a', since)).every((d) => d.status !== 'PENDING'));
    assert.equal((await deliveryRows('a', since)).length, 1);
    assert.equal(tokensFor('a', since).length, 1);
  });
});

describe('front-channel logout', () => {
  test('the signed-out page frames each client’s URI (iss and sid when required), and CSP allows exactly those origins', async () => {
    const since = Date.now();
    const browser = new Browser();
    const s = await signInTo(browser, ['fc', 'fc2', 'a']);
    const page = await browser.request(
      oidc.buildEndSessionUrl(s.a!.config, { id_token_hint: s.a!.idToken, post_logout_redirect_uri: RP_OUT, state: 'fc' }).href,
    );
    assert.equal(page.status, 200, 'the page must load the frames before the browser returns');
    const frames = [...page.body.matchAll(/<iframe src="([^"]+)"/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, '&')));
    assert.equal(frames.length, 2);
    const fc = frames.find((f) => f.pathname === '/fc/fc')!;
    assert.equal(fc.searchParams.get('x'), '1', 'the registered query is kept');
    assert.equal(fc.searchParams.get('iss'), srv.issuer('acme'));
    assert.equal(fc.searchParams.get('sid'), s.a!.sid);
    const fc2 = frames.find((f) => f.pathname === '/fc/fc2')!;
    assert.equal(fc2.host, `localhost:${rpPort}`);
    assert.equal(fc2.search, '', 'no session parameters when the client did not ask for them');

    const csp = page.headers.get('content-security-policy')!;
    const frameSrc = /frame-src ([^;]+)/.exec(csp)![1]!.split(' ').sort();
    assert.deepEqual(frameSrc, [rpUrl('', '127.0.0.1'), rpUrl('', 'localhost')].sort());
    assert.match(csp, /script-src 'nonce-/);
    assert.match(page.body, new RegExp(`href="${RP_OUT.replace(/\./g, '\\.')}\\?state=fc"`), 'a link continues without JavaScript');
    await until(() => tokensFor('a', since).length === 1);
  });
});
