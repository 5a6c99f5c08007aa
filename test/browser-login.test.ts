import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { pkce, randomValue } from './helpers/authorize-fixture.js';
import { browserSkip, launchChromium } from './helpers/chromium.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * A real browser (headless Chromium) goes through the authorization URL, the login and
 * consent pages, and lands on the client's redirect URI with a code; a second request
 * in form_post mode checks that the auto-submitting page works under its CSP.
 * Screenshots of the pages go to test-output/.
 */
const OUT = join(process.cwd(), 'test-output');
const PASSWORD = 'a real browser password';

let srv: TestServer;
let rp: Server;
let rpUrl: string;
let browser: Browser;
const posts: URLSearchParams[] = [];

before(async () => {
  if (browserSkip) return;
  mkdirSync(OUT, { recursive: true });
  rp = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST') posts.push(new URLSearchParams(body));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Relying party</title><h1>Back at the application</h1>');
    });
  });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  rpUrl = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/callback`;
  srv = await startTestServer({ label: 'browser' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await srv?.close();
  await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
});

test('a real browser logs in, consents and lands on the redirect URI with a code', { skip: browserSkip }, async () => {
  await createTenant(srv, 'initech', 'Initech Identity', { branding: { primaryColor: '#7c3aed' } });
  const client = await createClient(srv, 'initech', {
    name: 'Initech Expense Reports',
    clientType: 'CONFIDENTIAL',
    redirectUris: [rpUrl],
    grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
    responseTypes: ['code', 'code id_token'],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'expenses:write'],
  });
  await createUser(srv, 'initech', 'peter', PASSWORD, { name: 'Peter Gibbons', email: 'peter@initech.example' });

  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });

  const state = randomValue();
  const { verifier, challenge } = pkce();
  const authUrl = `${srv.issuer('initech')}/authorize?${new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: rpUrl,
    response_type: 'code',
    scope: 'openid profile email expenses:write',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    login_hint: 'peter',
  })}`;

  await page.goto(authUrl);
  await page.waitForSelector('input[name=password]');
  assert.match(await page.title(), /Sign in · Initech Identity/);
  assert.equal(await page.inputValue('input[name=username]'), 'peter');
  const band = await page.evaluate("getComputedStyle(document.querySelector('.band')).backgroundColor");
  assert.equal(band, 'rgb(124, 58, 237)', 'the tenant colour is applied (inline style allowed by the nonce)');
  await page.screenshot({ path: join(OUT, 'login.png'), fullPage: true });

  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(/\/interaction\//), page.click('button[type=submit]')]);
  await page.waitForSelector('button[name=decision][value=allow]');
  assert.match((await page.textContent('body')) ?? '', /Your email address/);
  await page.screenshot({ path: join(OUT, 'consent.png'), fullPage: true });

  await Promise.all([page.waitForURL((u) => u.href.startsWith(rpUrl)), page.click('button[name=decision][value=allow]')]);
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), state);
  assert.equal(landed.searchParams.get('iss'), srv.issuer('initech'));
  const code = landed.searchParams.get('code');
  assert.ok(code, `a code at ${landed.href}`);

  const tokenRes = await fetch(`${srv.issuer('initech')}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: rpUrl, code_verifier: verifier }),
  });
  assert.equal(tokenRes.status, 200);
  assert.ok(((await tokenRes.json()) as { id_token?: string }).id_token);

  // Same browser, now with a session and a stored consent: form_post straight back to the client.
  const nonce = randomValue();
  await page.goto(
    `${srv.issuer('initech')}/authorize?${new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: rpUrl,
      response_type: 'code id_token',
      response_mode: 'form_post',
      scope: 'openid profile email expenses:write',
      state: 'fp-state',
      nonce,
    })}`,
  );
  await page.waitForURL((u) => u.href.startsWith(rpUrl));
  await page.waitForSelector('h1');
  const posted = posts.at(-1);
  assert.ok(posted, 'the form_post page submitted itself');
  assert.equal(posted.get('state'), 'fp-state');
  assert.equal(posted.get('iss'), srv.issuer('initech'));
  assert.ok(posted.get('code') && posted.get('id_token'));

  assert.deepEqual(cspViolations, []);
  await context.close();
});
