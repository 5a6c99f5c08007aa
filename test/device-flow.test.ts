import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { parseTenantFile, TenantFileError } from '../src/tenant-files/tenant-file.js';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { browserSkip, launchChromium } from './helpers/chromium.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Device Authorization Grant (RFC 8628): openid-client 6 is the device, headless Chromium
 * is the user's phone on the device page (enter code → login → consent → "return to your
 * device"), plus what an attacker tries: a stolen device code polled too fast, guessed
 * user codes, an expired code, a denied consent, a device code used twice.
 */
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const PASSWORD = 'couch potato password';
const OUT = join(process.cwd(), 'test-output');
const VIEWPORT = { width: 800, height: 700 };

let srv: TestServer;
let browser: Browser | undefined;

before(async () => {
  srv = await startTestServer({ label: 'device' });
  if (!browserSkip) {
    mkdirSync(OUT, { recursive: true });
    browser = await launchChromium();
  }
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

/** A tenant whose devices poll every second, a public TV app, and a user. */
async function tenantWithTv(slug: string, settings: Record<string, unknown> = {}): Promise<{ clientId: string }> {
  await createTenant(srv, slug, `${slug} TV Identity`, {
    branding: { primaryColor: '#0f766e' },
    settings: { devicePollingInterval: 1, ...settings },
  });
  const tv = await createClient(srv, slug, {
    name: 'Living Room TV',
    clientType: 'PUBLIC',
    grantTypes: [DEVICE_GRANT, 'refresh_token'],
    scopes: ['openid', 'profile', 'offline_access'],
  });
  await createUser(srv, slug, 'couch', PASSWORD, { name: 'Couch Potato' });
  return { clientId: tv.clientId };
}

const deviceConfig = (slug: string, clientId: string): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(slug)), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });

function form(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
    redirect: 'manual',
  });
}

async function startRaw(
  slug: string,
  clientId: string,
  scope = 'openid',
): Promise<{ device_code: string; user_code: string; interval: number }> {
  const res = await form(`${srv.issuer(slug)}/device/auth`, { client_id: clientId, scope });
  assert.equal(res.status, 200);
  return (await res.json()) as { device_code: string; user_code: string; interval: number };
}

async function poll(slug: string, clientId: string, deviceCode: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await form(`${srv.issuer(slug)}/token`, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The phone: from the code form through login (if asked) and consent. */
async function approveOnPhone(page: Page, decision: 'allow' | 'deny', login = true): Promise<void> {
  await Promise.all([page.waitForURL(/\/interaction\//), page.click('button[type=submit]')]);
  if (login) {
    await page.waitForSelector('input[name=password]');
    await page.fill('input[name=username]', 'couch');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForSelector('button[name=decision]'), page.click('button[type=submit]')]);
  }
  assert.match((await page.textContent('body')) ?? '', /Living Room TV/);
  await Promise.all([page.waitForURL(/\/device\/resume\//), page.click(`button[name=decision][value=${decision}]`)]);
}

test('discovery announces the device flow; a tenant that turns it off has no endpoint, page or grant', async () => {
  const { clientId } = await tenantWithTv('tvdisco');
  const meta = (await (await fetch(`${srv.issuer('tvdisco')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  assert.equal(meta.device_authorization_endpoint, `${srv.issuer('tvdisco')}/device/auth`);
  assert.ok((meta.grant_types_supported as string[]).includes(DEVICE_GRANT));
  const started = await startRaw('tvdisco', clientId);

  await gqlOk(srv, `mutation { updateTenant(slug: "tvdisco", input: { settings: { deviceFlow: false } }) { slug } }`);
  const off = (await (await fetch(`${srv.issuer('tvdisco')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  assert.equal(off.device_authorization_endpoint, undefined);
  assert.ok(!(off.grant_types_supported as string[]).includes(DEVICE_GRANT));
  assert.equal((await form(`${srv.issuer('tvdisco')}/device/auth`, { client_id: clientId })).status, 404);
  assert.equal((await fetch(`${srv.issuer('tvdisco')}/device`)).status, 404);
  const polled = await poll('tvdisco', clientId, started.device_code);
  assert.equal(polled.body.error, 'unsupported_grant_type');
});

test('a client not registered for the grant, and scopes it may not request, are refused', async () => {
  await tenantWithTv('tvrules');
  const web = await createClient(srv, 'tvrules', { name: 'Web', clientType: 'PUBLIC', redirectUris: ['https://web.example/cb'] });
  const res = await form(`${srv.issuer('tvrules')}/device/auth`, { client_id: web.clientId });
  assert.equal(((await res.json()) as { error: string }).error, 'unauthorized_client');
  const tv = await createClient(srv, 'tvrules', { name: 'TV', clientType: 'PUBLIC', grantTypes: [DEVICE_GRANT], scopes: ['openid'] });
  const wide = await form(`${srv.issuer('tvrules')}/device/auth`, { client_id: tv.clientId, scope: 'openid email' });
  assert.equal(((await wide.json()) as { error: string }).error, 'invalid_scope');
  const unknown = await form(`${srv.issuer('tvrules')}/device/auth`, { client_id: 'nobody' });
  assert.equal(((await unknown.json()) as { error: string }).error, 'invalid_client');
});

test('openid-client signs in a TV through the device page in Chromium; the device code works once', { skip: browserSkip }, async () => {
  const slug = 'tvhappy';
  const { clientId } = await tenantWithTv(slug);
  const config = await deviceConfig(slug, clientId);
  const da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
  assert.match(da.user_code, USER_CODE);
  assert.equal(da.verification_uri, `${srv.issuer(slug)}/device`);
  assert.equal(da.verification_uri_complete, `${srv.issuer(slug)}/device?user_code=${da.user_code}`);
  assert.equal(da.expires_in, 600);
  assert.equal(da.interval, 1);

  // The device polls while the user is busy on the phone: authorization_pending until approved.
  const tokens = oidc.pollDeviceAuthorizationGrant(config, da);

  const context = await browser!.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(da.verification_uri_complete!);
  await page.waitForSelector('input[name=user_code]');
  assert.equal(await page.inputValue('input[name=user_code]'), da.user_code, 'verification_uri_complete fills the code in');
  const text = (await page.textContent('body')) ?? '';
  assert.match(text, /Connect a device/);
  assert.match(text, /tvhappy TV Identity/);
  const band = await page.evaluate("getComputedStyle(document.querySelector('.band')).backgroundColor");
  assert.equal(band, 'rgb(15, 118, 110)', 'the tenant colour is applied');
  const shot = await page.screenshot();
  writeFileSync(join(OUT, 'device-code.png'), shot);
  assert.ok(shot.length > 2_000, 'a screenshot with content');
  assert.deepEqual(pngSize(shot), VIEWPORT);

  await approveOnPhone(page, 'allow');
  assert.match((await page.textContent('h1')) ?? '', /You may return to your device/);
  const done = await page.screenshot();
  writeFileSync(join(OUT, 'device-done.png'), done);
  assert.deepEqual(pngSize(done), VIEWPORT);
  await context.close();

  const set = await tokens;
  assert.equal(set.token_type.toLowerCase(), 'bearer');
  assert.ok(set.access_token && set.refresh_token);
  const claims = set.claims()!;
  assert.equal(claims.iss, srv.issuer(slug));
  assert.equal(claims.aud, clientId);
  assert.equal(claims.sid, undefined, "the device's tokens are not tied to the phone's browser session");
  const me = await oidc.fetchUserInfo(config, set.access_token, claims.sub);
  assert.equal(me.name, 'Couch Potato');

  // As every grant: a TOKEN_ISSUED event naming the device code grant (events are written asynchronously).
  let issued: { data: { grantType: string; tokens: string[] } }[] = [];
  for (let i = 0; i < 50 && !issued.length; i++) {
    const r = await gqlOk<{ events: { edges: { node: { data: { grantType: string; tokens: string[] } } }[] } }>(
      srv,
      `{ events(tenant: "${slug}", filter: { type: TOKEN_ISSUED }) { edges { node { data } } } }`,
    );
    issued = r.events.edges.map((e) => e.node);
    if (!issued.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(issued[0]?.data.grantType, DEVICE_GRANT);
  assert.deepEqual(issued[0]?.data.tokens, ['access_token', 'id_token', 'refresh_token']);

  // Used once: the device code again is invalid_grant, and whoever holds it too lost the tokens.
  const again = await poll(slug, clientId, da.device_code);
  assert.equal(again.body.error, 'invalid_grant');
  const after = await fetch(`${srv.issuer(slug)}/userinfo`, { headers: { authorization: `Bearer ${set.access_token}` } });
  assert.equal(after.status, 401);
});

test('a stolen device code polled too fast hears slow_down, and another client cannot use it', async () => {
  const slug = 'tvsteal';
  const { clientId } = await tenantWithTv(slug, { devicePollingInterval: 5 });
  const other = await createClient(srv, slug, { name: 'Other', clientType: 'PUBLIC', grantTypes: [DEVICE_GRANT], scopes: ['openid'] });
  const { device_code } = await startRaw(slug, clientId);
  assert.equal((await poll(slug, clientId, device_code)).body.error, 'authorization_pending');
  for (let i = 0; i < 3; i++) {
    const fast = await poll(slug, clientId, device_code);
    assert.equal(fast.status, 400);
    assert.equal(fast.body.error, 'slow_down');
  }
  assert.equal((await poll(slug, other.clientId, device_code)).body.error, 'invalid_grant');
  assert.equal((await poll(slug, clientId, 'guessed-device-code')).body.error, 'invalid_grant');
  const missing = await form(`${srv.issuer(slug)}/token`, { grant_type: DEVICE_GRANT, client_id: clientId });
  assert.equal(((await missing.json()) as { error: string }).error, 'invalid_request');
});

/** The code form as a browser without JavaScript gets it: its cookie and CSRF token. */
async function codeForm(slug: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${srv.issuer(slug)}/device`);
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie, csrf };
}

test('guessed user codes are throttled per client address; the form needs its CSRF token', async () => {
  const slug = 'tvguess';
  const { clientId } = await tenantWithTv(slug);
  const { user_code } = await startRaw(slug, clientId);
  const { cookie, csrf } = await codeForm(slug);
  const submit = (code: string, token = csrf) => form(`${srv.issuer(slug)}/device`, { csrf_token: token, user_code: code }, { cookie });

  assert.equal((await submit(user_code, 'forged')).status, 403);
  assert.equal((await form(`${srv.issuer(slug)}/device`, { csrf_token: csrf, user_code })).status, 403, 'no cookie, no form');

  const guesses = [
    'BCDF-GHJK',
    'bcdfghjl',
    'XXXX-1234',
    'WDJB MJHT',
    'QQQQ-QQQQ',
    'ZZZZZZZZ',
    'BBBB-CCCC',
    'DDDD-FFFF',
    'GGGG-HHHH',
    'JJJJ-KKKK',
  ];
  for (const g of guesses) {
    const res = await submit(g);
    assert.equal(res.status, 400, `wrong code ${g} refused`);
    assert.match(await res.text(), /That code is not valid/);
  }
  // The 11th attempt is still evaluated (and starts the lock); after it even the right code waits.
  assert.equal((await submit('KKKK-LLLL')).status, 400);
  const locked = await submit(user_code);
  assert.equal(locked.status, 429);
  assert.match(await locked.text(), /Too many codes/);

  // Another tenant keeps its own count.
  const other = await tenantWithTv('tvguess2');
  const fresh = await startRaw('tvguess2', other.clientId);
  const f2 = await codeForm('tvguess2');
  const ok = await form(
    `${srv.issuer('tvguess2')}/device`,
    { csrf_token: f2.csrf, user_code: fresh.user_code.toLowerCase().replace('-', '') },
    { cookie: f2.cookie },
  );
  assert.equal(ok.status, 303, 'a lower-case code without its dash is accepted');
  assert.match(ok.headers.get('location') ?? '', /\/interaction\//);
});

test('an expired device code is expired_token, and its user code is no longer accepted', async () => {
  const slug = 'tvexpire';
  const { clientId } = await tenantWithTv(slug, { deviceCodeLifetime: 1 });
  const { device_code, user_code } = await startRaw(slug, clientId);
  let last: Record<string, unknown> = {};
  // No clock to move yet: short polls (each under 200 ms apart) until the one-second code has expired.
  for (let i = 0; i < 60 && last.error !== 'expired_token'; i++) {
    last = (await poll(slug, clientId, device_code)).body;
    assert.ok(['authorization_pending', 'slow_down', 'expired_token'].includes(last.error as string));
    if (last.error !== 'expired_token') await new Promise((r) => setTimeout(r, 150));
  }
  assert.equal(last.error, 'expired_token');
  const { cookie, csrf } = await codeForm(slug);
  const res = await form(`${srv.issuer(slug)}/device`, { csrf_token: csrf, user_code }, { cookie });
  assert.equal(res.status, 400);
});

test('a user who denies on the device page leaves the device with access_denied', { skip: browserSkip }, async () => {
  const slug = 'tvdeny';
  const { clientId } = await tenantWithTv(slug);
  const config = await deviceConfig(slug, clientId);
  const da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });

  const context = await browser!.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(da.verification_uri);
  await page.fill('input[name=user_code]', da.user_code.toLowerCase());
  await approveOnPhone(page, 'deny');
  assert.match((await page.textContent('h1')) ?? '', /Device not connected/);

  await assert.rejects(oidc.pollDeviceAuthorizationGrant(config, da), (err: oidc.ResponseBodyError) => {
    assert.equal(err.error, 'access_denied');
    return true;
  });

  // Same phone, already signed in: the next device goes straight to consent (asked every time).
  const second = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
  await page.goto(second.verification_uri_complete!);
  await approveOnPhone(page, 'allow', false);
  assert.match((await page.textContent('h1')) ?? '', /You may return to your device/);
  await context.close();
  const polled = await poll(slug, clientId, second.device_code);
  assert.equal(polled.status, 200);
  assert.ok(polled.body.id_token);
});

test('tenant files carry the device settings and the grant type; out-of-range values are refused', () => {
  const file = parseTenantFile(`slug: tvfile
displayName: TV File
settings:
  deviceFlow: true
  deviceCodeLifetime: 900
  devicePollingInterval: 10
clients:
  - clientId: living-room-tv
    name: TV
    clientType: PUBLIC
    grantTypes: [${DEVICE_GRANT}]
    redirectUris: []
`);
  assert.deepEqual(file.settings, { deviceFlow: true, deviceCodeLifetime: 900, devicePollingInterval: 10 });
  assert.deepEqual(file.clients?.[0]?.grantTypes, [DEVICE_GRANT]);
  assert.throws(
    () => parseTenantFile('slug: tvfile\ndisplayName: TV File\nsettings:\n  devicePollingInterval: 0\n'),
    (err: unknown) => err instanceof TenantFileError && /devicePollingInterval/.test(err.message),
  );
});
