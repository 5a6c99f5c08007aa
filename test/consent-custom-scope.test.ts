import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminToken, createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { pkce, randomValue } from './helpers/authorize-fixture.js';
import { browserSkip, launchChromium } from './helpers/chromium.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * A tenant's custom scope on the consent page, in a real browser: its display name and
 * description are shown (screenshot test-output/consent-custom-scope.png), and the claims
 * it names reach the client after the user allows it.
 */
const OUT = join(process.cwd(), 'test-output');
const PASSWORD = 'custom scope password 1';
let srv: TestServer;
let rp: Server;
let rpUrl: string;
let browser: Browser;

before(async () => {
  if (browserSkip) return;
  mkdirSync(OUT, { recursive: true });
  rp = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Relying party</title><h1>Back at the application</h1>');
  });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  rpUrl = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/callback`;
  srv = await startTestServer({ label: 'consentscope' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await srv?.close();
  await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
});

test('a custom scope is shown on the consent page with its words, and releases its claims', { skip: browserSkip }, async () => {
  await createTenant(srv, 'umbrella', 'Umbrella Research', {
    branding: { primaryColor: '#b91c1c' },
    scopes: [
      {
        name: 'lab:access',
        displayName: 'Your laboratory badge',
        description: 'Which laboratories and clearance level your badge opens.',
        claims: ['laboratories', 'clearance'],
      },
      {
        name: 'profile',
        displayName: 'Your researcher profile',
        description: 'Your name and your research group.',
        claims: ['research_group'],
      },
    ],
  });
  const token = await adminToken(srv);
  for (const input of [
    { name: 'laboratories', kind: 'MAPPING', mapping: { path: 'attributes.labs', type: 'ARRAY' } },
    { name: 'clearance', kind: 'MAPPING', mapping: { path: 'attributes.clearance', type: 'NUMBER' } },
  ]) {
    await gqlOk(srv, `mutation($i: ClaimResolverInput!) { setClaimResolver(tenant: "umbrella", input: $i) { name } }`, { i: input }, token);
  }
  const client = await createClient(srv, 'umbrella', {
    name: 'Umbrella Lab Portal',
    clientType: 'CONFIDENTIAL',
    redirectUris: [rpUrl],
    scopes: ['openid', 'profile', 'lab:access'],
  });
  await createUser(srv, 'umbrella', 'alice', PASSWORD, {
    name: 'Alice Abernathy',
    research_group: 'Virology',
    attributes: { labs: ['B-3', 'Hive'], clearance: '4' },
  });

  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const { verifier, challenge } = pkce();
  await page.goto(
    `${srv.issuer('umbrella')}/authorize?${new URLSearchParams({ client_id: client.clientId, redirect_uri: rpUrl, response_type: 'code', scope: 'openid profile lab:access', state: randomValue(), code_challenge: challenge, code_challenge_method: 'S256' })}`,
  );
  await page.fill('#username', 'alice');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/interaction\//), page.click('button[type=submit]')]);
  await page.waitForSelector('button[name=decision][value=allow]');
  const text = await page.locator('ul.scopes').innerText();
  assert.match(text, /Your laboratory badge/);
  assert.match(text, /Which laboratories and clearance level your badge opens\./);
  assert.match(text, /Your researcher profile/, 'a standard scope shows the tenant’s own words');
  assert.doesNotMatch(text, /lab:access/, 'the words, not the raw scope value');
  await page.screenshot({ path: join(OUT, 'consent-custom-scope.png'), fullPage: true });

  await Promise.all([page.waitForURL((u) => u.href.startsWith(rpUrl)), page.click('button[name=decision][value=allow]')]);
  const code = new URL(page.url()).searchParams.get('code');
  assert.ok(code);
  await context.close();

  const res = await fetch(`${srv.issuer('umbrella')}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: rpUrl, code_verifier: verifier }),
  });
  const tokens = (await res.json()) as { access_token: string };
  const info = (await (
    await fetch(`${srv.issuer('umbrella')}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  ).json()) as Record<string, unknown>;
  assert.deepEqual(info.laboratories, ['B-3', 'Hive']);
  assert.equal(info.clearance, 4);
  assert.equal(info.research_group, 'Virology', 'a refined standard scope releases its extra claims too');
  assert.equal(info.name, 'Alice Abernathy');
});
