import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { Browser as Chromium, Page } from 'playwright-core';
import { DEVICE_CODE_GRANT } from '../src/oidc/capabilities.js';
import { createClient, createTenant, createUser, gqlOk, type CreatedClient } from './helpers/admin.js';
import { waitForEvent } from './helpers/extensions.js';
import { browserSkip, launchChromium } from './helpers/chromium.js';
import { approveOnDevicePage } from './helpers/device-page.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The consent page names the APIs (RFC 8707 resource servers) an authorization asks for
 * (docs/token-services.md "Resource indicators", what the user sees): in headless Chromium
 * for the authorization endpoint and PAR, with openid-client 6 as the relying party; over
 * real HTTP (test/helpers/browser-fetch.ts) for the device flow's approval page. Screenshot:
 * test-output/consent-resources.png.
 */
const T = 'rsconsent';
const ORDERS = 'https://orders.rsconsent.example/';
const EVIL = 'https://evil.rsconsent.example/';
const PLAIN = 'https://plain.rsconsent.example/';
const EVIL_NAME = '<b id="injected">Evil</b> & "Co"';
const PASSWORD = 'consent to the orders api';
const OLGA = { username: 'olga', password: PASSWORD };
const OUT = join(process.cwd(), 'test-output');

let srv: TestServer;
let rp: Server;
let rpUrl: string;
let chromium: Chromium;
let app: CreatedClient;
let tv: CreatedClient;

before(async () => {
  srv = await startTestServer({ label: 'consent-resources' });
  rp = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Relying party</title><h1>Back at the application</h1>');
  });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  rpUrl = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/callback`;
  await createTenant(srv, T, 'Resource Consent Co', { settings: { devicePollingInterval: 1 } });
  await createUser(srv, T, 'olga', PASSWORD, { name: 'Olga Orders' });
  const scopes = ['openid', 'profile', 'orders:read', 'offline_access'];
  app = await createClient(srv, T, { name: 'Shop Front', clientType: 'CONFIDENTIAL', redirectUris: [rpUrl], scopes });
  tv = await createClient(srv, T, { name: 'Shop TV', clientType: 'PUBLIC', grantTypes: [DEVICE_CODE_GRANT], scopes });
  const create = `mutation($t: String!, $i: CreateResourceServerInput!) { createResourceServer(tenant: $t, input: $i) { identifier } }`;
  await gqlOk(srv, create, { t: T, i: { identifier: ORDERS, name: 'Orders API', scopes: ['orders:read'] } });
  await gqlOk(srv, create, { t: T, i: { identifier: EVIL, name: EVIL_NAME, scopes: ['orders:read'] } });
  await gqlOk(srv, create, { t: T, i: { identifier: PLAIN, scopes: ['orders:read'] } });
  if (!browserSkip) chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await srv?.close();
  await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
});

const appConfig = (): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(T)), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret!), {
    execute: [oidc.allowInsecureRequests],
  });

/** The authorization URL openid-client builds, `resource` repeated; pushed first when `par`. */
async function authorizationUrl(
  cfg: oidc.Configuration,
  resources: string[],
  par: boolean,
  prompt = 'consent',
): Promise<{ url: URL; verifier: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const params = new URLSearchParams({
    redirect_uri: rpUrl,
    scope: 'openid orders:read',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: oidc.randomState(),
  });
  if (prompt) params.set('prompt', prompt);
  for (const r of resources) params.append('resource', r);
  const url = par ? await oidc.buildAuthorizationUrlWithPAR(cfg, params) : oidc.buildAuthorizationUrl(cfg, params);
  return { url, verifier };
}

/** Signs in when asked and stops on the consent page. */
async function toConsentPage(page: Page, url: URL): Promise<void> {
  await page.goto(url.href);
  if (await page.locator('#password').count()) {
    await page.fill('#username', 'olga');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/interaction\//), page.click('button[type=submit]')]);
  }
  await page.waitForSelector('button[name=decision][value=allow]');
}

describe('consent page at the authorization endpoint (Chromium)', { skip: browserSkip }, () => {
  test('a request with resource shows the API by its name; allowed, the token is for it', async () => {
    const cfg = await appConfig();
    const context = await chromium.newContext();
    const page = await context.newPage();
    const { url, verifier } = await authorizationUrl(cfg, [ORDERS], false);
    await toConsentPage(page, url);
    const apis = await page.locator('ul.resources').innerText();
    assert.match(apis, /Orders API/);
    assert.match(apis, /https:\/\/orders\.rsconsent\.example\//, 'the identifier beneath the name');
    assert.match(await page.locator('body').innerText(), /This access is for this service:/);

    await Promise.all([page.waitForURL((u) => u.href.startsWith(rpUrl)), page.click('button[name=decision][value=allow]')]);
    const tokens = await oidc.authorizationCodeGrant(
      cfg,
      new URL(page.url()),
      { pkceCodeVerifier: verifier, expectedState: oidc.skipStateCheck },
      {
        resource: ORDERS,
      },
    );
    assert.equal(decodeJwt(tokens.access_token).aud, ORDERS);
    await context.close();
  });

  test('through PAR: every resource listed; one without a name by its identifier; a name with HTML is text', async () => {
    const cfg = await appConfig();
    const context = await chromium.newContext();
    const page = await context.newPage();
    const { url } = await authorizationUrl(cfg, [ORDERS, EVIL, PLAIN], true);
    await toConsentPage(page, url);
    const items = await page.locator('ul.resources li').allInnerTexts();
    assert.equal(items.length, 3);
    assert.match(items[0]!, /^Orders API\s+https:\/\/orders\.rsconsent\.example\/$/);
    assert.match(items[1]!, new RegExp(`^${EVIL_NAME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`), 'shown as typed');
    assert.equal(items[2]!.trim(), PLAIN, 'no name: the identifier, once');
    assert.equal(await page.locator('#injected').count(), 0, 'the HTML in the name is not markup');
    assert.match(await page.content(), /&lt;b id="injected"&gt;Evil&lt;\/b&gt; &amp; "Co"/);
    assert.match(await page.locator('body').innerText(), /This access is for these services:/);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'consent-resources.png'), fullPage: true });
    await context.close();
  });

  test('without resource the page lists no API (as before)', async () => {
    const cfg = await appConfig();
    const context = await chromium.newContext();
    const page = await context.newPage();
    const { url } = await authorizationUrl(cfg, [], false);
    await toConsentPage(page, url);
    assert.equal(await page.locator('ul.resources').count(), 0);
    assert.equal(await page.locator('ul.scopes').count(), 1);
    assert.doesNotMatch(await page.locator('body').innerText(), /This access is for|Orders API/);
    await context.close();
  });

  test('remembered consent covers scopes, not resources: the same scopes for another API ask nothing (today’s rule)', async () => {
    const cfg = await appConfig();
    const context = await chromium.newContext();
    const page = await context.newPage();
    // The first test allowed openid orders:read for the Orders API (remembered); sign in again and arrive.
    const first = await authorizationUrl(cfg, [ORDERS], false, '');
    await page.goto(first.url.href);
    await page.fill('#username', 'olga');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(rpUrl)), page.click('button[type=submit]')]);
    const second = await authorizationUrl(cfg, [PLAIN], false, '');
    await page.goto(second.url.href);
    await page.waitForURL((u) => u.href.startsWith(rpUrl));
    assert.ok(new URL(page.url()).searchParams.get('code'), 'no consent page: the scopes were granted');
    await context.close();
  });
});

describe('device approval page (real HTTP)', () => {
  const tvConfig = (): Promise<oidc.Configuration> =>
    oidc.discovery(new URL(srv.issuer(T)), tv.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });

  test('the device’s resources are listed by name, escaped; the token is for them', async () => {
    const cfg = await tvConfig();
    const params = new URLSearchParams({ scope: 'openid orders:read' });
    params.append('resource', ORDERS);
    params.append('resource', EVIL);
    const da = await oidc.initiateDeviceAuthorization(cfg, params);
    const html = await approveOnDevicePage(da, OLGA);
    assert.ok(html, 'the consent page was shown');
    assert.match(html, /<ul class="scopes resources">/);
    assert.match(html, /<span class="what">Orders API<\/span>/);
    assert.match(html, /<span class="what">&lt;b id=&quot;injected&quot;&gt;Evil&lt;\/b&gt; &amp; &quot;Co&quot;<\/span>/);
    assert.doesNotMatch(html, /<b id="injected">/);
    const tokens = await oidc.pollDeviceAuthorizationGrant(cfg, { ...da, interval: 0 }, { resource: ORDERS });
    assert.equal(decodeJwt(tokens.access_token).aud, ORDERS);
    const given = await waitForEvent(srv, T, 'CONSENT_GIVEN', (e) => e.clientId === tv.clientId && 'resources' in e.data);
    assert.deepEqual(given.data.resources, [ORDERS, EVIL], 'the event names the APIs the user saw');
  });

  test('a device without resource: no list of APIs', async () => {
    const cfg = await tvConfig();
    const da = await oidc.initiateDeviceAuthorization(cfg, { scope: 'openid orders:read' });
    const html = await approveOnDevicePage(da, OLGA);
    assert.ok(html, 'the consent page was shown');
    assert.doesNotMatch(html, /class="scopes resources"|This access is for/);
    assert.match(html, /<ul class="scopes">/);
    const events = await waitForEvent(srv, T, 'CONSENT_GIVEN', (e) => e.clientId === tv.clientId && !('resources' in e.data));
    assert.deepEqual(events.data.scopes, ['openid', 'orders:read'], 'without resources the event is as before');
  });
});
