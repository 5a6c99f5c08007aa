import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { browserSkip, launchChromium } from './helpers/chromium.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Logout and session management in a real browser (headless Chromium): the RP's page
 * embeds the check_session iframe and gets `unchanged`, then `changed` after the user
 * logs out on the confirmation page; the signed-out page loads the front-channel logout
 * iframe under its CSP and continues to the post_logout_redirect_uri; without
 * front-channel clients the confirmation's 303 to the RP passes Chrome's form-action
 * check. Screenshots go to test-output/.
 */
const OUT = join(process.cwd(), 'test-output');
const PASSWORD = 'browser logout password';

let srv: TestServer;
let rp: Server;
let rpBase: string;
let browser: Browser;
const frontChannelHits: URL[] = [];
let withFrontChannel: { clientId: string };
let plain: { clientId: string; clientSecret: string | null };

/** The RP's page that monitors the OP session as Session Management 1.0 section 4 describes. */
const rpMonitorPage = (op: string, clientId: string, sessionState: string) => `<!doctype html><title>RP</title>
<p id="result">waiting</p>
<iframe id="op" src="${op}/check_session" hidden></iframe>
<script>
var op = ${JSON.stringify(new URL(op).origin)};
window.addEventListener('message', function (e) {
  if (e.origin !== op) return;
  document.getElementById('result').textContent = e.data;
});
document.getElementById('op').addEventListener('load', function () {
  document.getElementById('op').contentWindow.postMessage(${JSON.stringify(`${clientId} ${sessionState}`)}, op);
});
</script>`;

before(async () => {
  if (browserSkip) return;
  mkdirSync(OUT, { recursive: true });
  rp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', rpBase);
    if (url.pathname === '/fc') frontChannelHits.push(url);
    if (url.pathname === '/monitor') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(rpMonitorPage(srv.issuer('initech'), url.searchParams.get('client_id')!, url.searchParams.get('session_state')!));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>RP ${url.pathname}</title><h1>Relying party ${url.pathname}</h1>`);
  });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  rpBase = `http://127.0.0.1:${(rp.address() as AddressInfo).port}`;
  srv = await startTestServer({ label: 'logoutbrowser' });
  await createTenant(srv, 'initech', 'Initech Identity', { branding: { primaryColor: '#7c3aed' } });
  const common = {
    clientType: 'CONFIDENTIAL',
    requireConsent: false,
    redirectUris: [`${rpBase}/cb`],
    postLogoutRedirectUris: [`${rpBase}/bye`],
    scopes: ['openid'],
  };
  withFrontChannel = await createClient(srv, 'initech', {
    ...common,
    name: 'Initech Expenses',
    frontchannelLogoutUri: `${rpBase}/fc`,
    frontchannelLogoutSessionRequired: true,
  });
  plain = await createClient(srv, 'initech', { ...common, name: 'Initech Wiki' });
  await createUser(srv, 'initech', 'peter', PASSWORD);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await srv?.close();
  await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
});

async function logIn(page: Page, clientId: string): Promise<URL> {
  const q = new URLSearchParams({ client_id: clientId, redirect_uri: `${rpBase}/cb`, response_type: 'code', scope: 'openid', state: 'st' });
  await page.goto(`${srv.issuer('initech')}/authorize?${q}`);
  if (await page.locator('input[name=password]').count()) {
    await page.fill('input[name=username]', 'peter');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(`${rpBase}/cb**`), page.click('button[type=submit]')]);
  } else {
    await page.waitForURL(`${rpBase}/cb**`);
  }
  return new URL(page.url());
}

async function monitor(page: Page, clientId: string, sessionState: string, base = rpBase): Promise<string> {
  await page.goto(`${base}/monitor?${new URLSearchParams({ client_id: clientId, session_state: sessionState })}`);
  await page.waitForFunction("document.getElementById('result').textContent !== 'waiting'", undefined, { timeout: 10_000 });
  return (await page.textContent('#result'))!;
}

test(
  'check_session answers the RP, the confirmation logs out, front-channel frames load, the browser returns',
  { skip: browserSkip },
  async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    const landed = await logIn(page, withFrontChannel.clientId);
    const sessionState = landed.searchParams.get('session_state')!;
    assert.match(sessionState, /^[0-9a-f]{64}\./);

    assert.equal(await monitor(page, withFrontChannel.clientId, sessionState), 'unchanged', 'the RP sees the OP session as it was');
    const otherOrigin = rpBase.replace('127.0.0.1', 'localhost');
    assert.equal(
      await monitor(page, withFrontChannel.clientId, sessionState, otherOrigin),
      'error',
      'an unregistered origin gets no answer about the session',
    );

    const q = new URLSearchParams({ client_id: withFrontChannel.clientId, post_logout_redirect_uri: `${rpBase}/bye`, state: 'after' });
    await page.goto(`${srv.issuer('initech')}/end_session?${q}`);
    assert.match((await page.textContent('h1')) ?? '', /log out/i);
    await page.screenshot({ path: join(OUT, 'logout-confirm.png'), fullPage: true });
    await Promise.all([page.waitForURL(`${rpBase}/bye?state=after`, { timeout: 10_000 }), page.click('button[value=logout]')]);

    assert.equal(frontChannelHits.length, 1, 'the front-channel iframe was loaded');
    assert.equal(frontChannelHits[0]!.searchParams.get('iss'), srv.issuer('initech'));
    assert.ok(frontChannelHits[0]!.searchParams.get('sid'));

    assert.equal(await monitor(page, withFrontChannel.clientId, sessionState), 'changed', 'the RP notices the logout');
    assert.deepEqual(cspErrors, []);
    await context.close();
  },
);

test(
  'an RP on another site logs out by form POST with the ID token (the session cookie is SameSite=Lax)',
  { skip: browserSkip },
  async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const landed = await logIn(page, plain.clientId);
    const code = landed.searchParams.get('code')!;
    const tokenRes = await fetch(`${srv.issuer('initech')}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${plain.clientId}:${plain.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${rpBase}/cb` }),
    });
    const idToken = ((await tokenRes.json()) as { id_token: string }).id_token;
    // localhost and 127.0.0.1 are different sites: the browser leaves the Lax cookie out of this POST.
    const crossSite = rpBase.replace('127.0.0.1', 'localhost');
    await page.goto(`${crossSite}/page`);
    await page.setContent(`<form method="post" action="${srv.issuer('initech')}/end_session">
<input type="hidden" name="id_token_hint" value="${idToken}">
<input type="hidden" name="post_logout_redirect_uri" value="${rpBase}/bye">
<input type="hidden" name="state" value="posted">
<button type="submit">Log out</button></form>`);
    const hops: string[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(`${srv.issuer('initech')}/end_session`)) hops.push(`${r.request().method()} ${r.status()}`);
    });
    await Promise.all([page.waitForURL(`${rpBase}/bye?state=posted`, { timeout: 10_000 }), page.click('button')]);
    assert.deepEqual(hops, ['POST 303', 'GET 303'], 'the cookie-less POST was resent as a GET, which carried the session cookie');
    await page.goto(`${srv.issuer('initech')}/end_session`);
    assert.match((await page.textContent('h1')) ?? '', /signed out/i, 'the session really ended');
    await context.close();
  },
);

test('without front-channel clients the confirmed logout redirects to the RP (form-action allows it)', { skip: browserSkip }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, plain.clientId);
  const q = new URLSearchParams({ client_id: plain.clientId, post_logout_redirect_uri: `${rpBase}/bye`, state: 'plain' });
  await page.goto(`${srv.issuer('initech')}/end_session?${q}`);
  await Promise.all([page.waitForURL(`${rpBase}/bye?state=plain`, { timeout: 10_000 }), page.click('button[value=logout]')]);
  await page.goto(`${srv.issuer('initech')}/end_session`);
  assert.match((await page.textContent('h1')) ?? '', /signed out/i, 'no session left: nothing to confirm');
  await page.screenshot({ path: join(OUT, 'logout-signed-out.png'), fullPage: true });
  await context.close();
});
