import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { loadTenantFile, parseTenantFile, TenantFileError } from '../src/tenant-files/tenant-file.js';
import { adminToken, clientCredentials, gqlOk } from './helpers/admin.js';
import { runScript } from './helpers/run-script.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
const dir = join('test-output', `onboarding-${randomBytes(4).toString('hex')}`);

before(async () => {
  srv = await startTestServer({ label: 'onboarding' });
  token = await adminToken(srv);
  mkdirSync(dir, { recursive: true });
});
after(() => srv.close());

/** Runs one of the npm scripts' files the way `npm run` does, against the test server. */
const run = (script: string, args: string[]) => runScript(srv, script, args);

const ACME = `# yaml-language-server: $schema=../../tenants/tenant.schema.json
slug: onb-acme
displayName: Acme Onboarded
branding:
  logoUrl: https://acme.example/logo.png
  primaryColor: "#112233"
settings:
  accessTokenTtl: 900
  keyRotationDays: 90
  allowedGrantTypes: [authorization_code, refresh_token, client_credentials]
scopes:
  - name: api:read
    displayName: Read the API
    description: Lets the app read your orders.
    claims: [orders]
clients:
  - clientId: acme-spa
    name: Acme SPA
    clientType: PUBLIC
    redirectUris: [https://acme.example/spa/cb]
    scopes: [openid, profile, api:read]
  - clientId: acme-svc
    name: Acme backend
    clientType: CONFIDENTIAL
    grantTypes: [client_credentials]
    scopes: [api:read]
    clientUri: https://acme.example/
    contacts: [ops@acme.example]
  - clientId: acme-web
    name: Acme web
    clientType: CONFIDENTIAL
    redirectUris: [https://acme.example/cb]
    postLogoutRedirectUris: [https://acme.example/]
    requireConsent: false
    backchannelLogoutUri: https://acme.example/logout/backchannel
    backchannelLogoutSessionRequired: true
    frontchannelLogoutUri: https://acme.example/logout/frontchannel?from=idp
    frontchannelLogoutSessionRequired: true
users:
  - username: alice
    password: wonderland-1234
    claims:
      email: alice@acme.example
      name: Alice
`;

const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('onboard applies a tenant file, prints new secrets once; a second run changes nothing', async () => {
  const file = write('acme.yaml', ACME);
  const dry = await run('onboard.ts', [file, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /\+ tenant onb-acme/);
  assert.match(dry.stdout, /Dry run/);
  assert.equal((await gqlOk(srv, '{ tenant(slug: "onb-acme") { slug } }', {}, token)).tenant, null, 'a dry run applies nothing');

  const first = await run('onboard.ts', [file]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /\[1\/2\] \+ onb-acme: tenant onb-acme … done/);
  assert.match(first.stdout, /\[2\/2\] \+ onb-acme: user alice … done/);
  const secrets = Object.fromEntries([...first.stdout.matchAll(/onb-acme\/(\S+): (\S+)/g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(secrets).sort(), ['acme-svc', 'acme-web']);
  assert.equal((await clientCredentials(srv, 'onb-acme', 'acme-svc', secrets['acme-svc']!, { scope: 'api:read' })).status, 200);

  const d = await gqlOk(
    srv,
    '{ tenant(slug: "onb-acme") { displayName settings { accessTokenTtl keyRotationDays } scopes { name claims } clients { edges { node { clientId requireConsent contacts } } } users { edges { node { username claims } } } } }',
    {},
    token,
  );
  assert.equal(d.tenant.settings.accessTokenTtl, 900);
  assert.deepEqual(d.tenant.scopes, [{ name: 'api:read', claims: ['orders'] }]);
  assert.equal(d.tenant.clients.edges.length, 3);
  assert.equal(d.tenant.users.edges[0].node.claims.email, 'alice@acme.example');

  const second = await run('onboard.ts', [file]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /no changes/);
  assert.match(second.stdout, /No changes: everything already matches/);
  assert.doesNotMatch(second.stdout, /secret/i);
});

test('changing one field applies exactly that change', async () => {
  const changed = ACME.replace('accessTokenTtl: 900', 'accessTokenTtl: 1200');
  const file = write('acme.yaml', changed);
  const r = await run('onboard.ts', [file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /onb-acme \(.*\): 1 change\(s\)/);
  assert.match(r.stdout, /settings\.accessTokenTtl: 900 → 1200/);
  assert.match(r.stdout, /\[1\/1\] ~ onb-acme: tenant onb-acme … done/);
  const d = await gqlOk(srv, '{ tenant(slug: "onb-acme") { settings { accessTokenTtl } } }', {}, token);
  assert.equal(d.tenant.settings.accessTokenTtl, 1200);

  const client = write('acme.yaml', changed.replace('https://acme.example/cb]', 'https://acme.example/callback]'));
  const c = await run('onboard.ts', [client]);
  assert.match(c.stdout, /1 change\(s\)/);
  assert.match(c.stdout, /~ client acme-web\n\s+redirectUris: \["https:\/\/acme.example\/cb"\] → \["https:\/\/acme.example\/callback"\]/);
  assert.equal((await run('onboard.ts', [client])).stdout.includes('No changes'), true);
});

test('export writes the tenant back: equal to the file minus secrets and passwords', async () => {
  const file = join(dir, 'acme.yaml');
  const r = await run('export.ts', ['onb-acme']);
  assert.equal(r.code, 0, r.stderr);
  const exported = parse(r.stdout) as Record<string, unknown>;
  const original = parse(readFileSync(file, 'utf8')) as { users: { password?: string }[] };
  for (const u of original.users) delete u.password;
  assert.deepEqual(exported, original);
  assert.doesNotMatch(r.stdout, /^\s*-?\s*(password|clientSecret|secret):/m);
  // The export is itself a valid tenant file, and applying it changes nothing.
  const out = join(dir, 'exported.yaml');
  assert.equal((await run('export.ts', ['onb-acme', '--out', out])).code, 0);
  assert.ok(loadTenantFile(out));
  const again = await run('onboard.ts', [out]);
  assert.match(again.stdout, /No changes/);
});

test('the logout URIs and their session flags go through plan, apply and export', async () => {
  const before = readFileSync(join(dir, 'acme.yaml'), 'utf8');
  const q =
    '{ client(tenant: "onb-acme", clientId: "acme-web") { backchannelLogoutUri backchannelLogoutSessionRequired frontchannelLogoutUri frontchannelLogoutSessionRequired } }';
  assert.deepEqual((await gqlOk(srv, q, {}, token)).client, {
    backchannelLogoutUri: 'https://acme.example/logout/backchannel',
    backchannelLogoutSessionRequired: true,
    frontchannelLogoutUri: 'https://acme.example/logout/frontchannel?from=idp',
    frontchannelLogoutSessionRequired: true,
  });
  // Drop the back-channel URI, turn a flag off: exactly those fields change.
  const changed = before
    .replace('    backchannelLogoutUri: https://acme.example/logout/backchannel\n', '')
    .replace('frontchannelLogoutSessionRequired: true', 'frontchannelLogoutSessionRequired: false');
  const file = write('acme.yaml', changed);
  const r = await run('onboard.ts', [file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /~ client acme-web/);
  assert.match(r.stdout, /backchannelLogoutUri: "https:\/\/acme.example\/logout\/backchannel" → null/);
  assert.match(r.stdout, /frontchannelLogoutSessionRequired: true → false/);
  assert.deepEqual((await gqlOk(srv, q, {}, token)).client, {
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: true,
    frontchannelLogoutUri: 'https://acme.example/logout/frontchannel?from=idp',
    frontchannelLogoutSessionRequired: false,
  });
  assert.match((await run('onboard.ts', [file])).stdout, /No changes/);
  const exported = parse((await run('export.ts', ['onb-acme'])).stdout) as { clients: Record<string, unknown>[] };
  const web = exported.clients.find((c) => c.clientId === 'acme-web');
  assert.equal(web?.backchannelLogoutUri, undefined);
  assert.equal(web?.backchannelLogoutSessionRequired, true);
  assert.equal(web?.frontchannelLogoutUri, 'https://acme.example/logout/frontchannel?from=idp');
  assert.equal(web?.frontchannelLogoutSessionRequired, undefined, 'false is the default and is left out');
});

test('a malformed file is refused with file, line and column, and nothing is applied', async () => {
  const good = write('good.yaml', 'slug: onb-good\ndisplayName: Good\n');
  const bad = write(
    'bad.yaml',
    `slug: onb-bad
displayName: Bad
clients:
  - clientId: web
    name: Web
    clientType: CONFIDENTIAL
    redirectUris: ["https://bad.example/cb#fragment"]
    colour: blue
`,
  );
  const r = await run('onboard.ts', [good, bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:8:5: clients\\[0\\]\\.colour: unknown field "colour"`));
  assert.match(r.stderr, /nothing was applied/);
  for (const slug of ['onb-good', 'onb-bad'])
    assert.equal((await gqlOk(srv, `{ tenant(slug: "${slug}") { slug } }`, {}, token)).tenant, null);

  // The rules the API applies are checked up front too, at the line of the value.
  const semantic = write(
    'semantic.yaml',
    'slug: onb-bad\ndisplayName: Bad\nclients:\n  - clientId: web\n    name: Web\n    clientType: CONFIDENTIAL\n    redirectUris: ["https://bad.example/cb#fragment"]\n',
  );
  const s = await run('onboard.ts', [semantic]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /semantic\.yaml:7:19: clients\[0\]\.redirectUris: .*fragment/);
});

test('the parser reports YAML syntax errors, schema errors and semantic errors with positions', () => {
  const cases: [string, number, RegExp][] = [
    ['slug: x\ndisplayName: X\n  oops: 1\n', 2, /./],
    ['slug: x\ndisplayName: X\nslug: y\n', 3, /unique|duplicate/i],
    ['slug: system\ndisplayName: X\n', 1, /reserved/],
    ['slug: x\n', 1, /displayName/],
    ['slug: x\ndisplayName: X\nsettings:\n  accessTokenTtl: -5\n', 4, /accessTokenTtl/],
    ['slug: x\ndisplayName: X\nsettings:\n  signingAlg: HS256\n', 4, /RS256/],
    ['slug: x\ndisplayName: X\nscopes:\n  - name: a\n  - name: a\n', 5, /twice/],
    [
      'slug: x\ndisplayName: X\nusers:\n  - username: u\n    password: long-enough\n    claims:\n      email_verified: "yes"\n',
      7,
      /boolean/,
    ],
    [
      'slug: x\ndisplayName: X\nsettings:\n  allowedGrantTypes: [authorization_code]\nclients:\n  - clientId: svc\n    name: S\n    clientType: CONFIDENTIAL\n    grantTypes: [client_credentials]\n',
      9,
      /allowedGrantTypes/,
    ],
  ];
  for (const [text, line, message] of cases) {
    try {
      parseTenantFile(text, 't.yaml');
      assert.fail(`accepted: ${text}`);
    } catch (e) {
      assert.ok(e instanceof TenantFileError, String(e));
      assert.equal(e.problems[0]!.line, line, `${text}\n→ ${e.message}`);
      assert.match(e.message, message);
    }
  }
  assert.ok(loadTenantFile('tenants/demo.yaml'));
});

test('onboard reports an unreachable server or bad credentials clearly', async () => {
  const file = join(dir, 'acme.yaml');
  const bad = await run('onboard.ts', [file, '--client-secret', 'wrong-secret-0123456789']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid_client/);
});

test('rotate-keys rotates one tenant, or all of them', async () => {
  const before = await gqlOk(srv, '{ tenant(slug: "onb-acme") { signingKeys { kid status } } }', {}, token);
  const r = await run('rotate-keys.ts', ['onb-acme']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[1\/1\] onb-acme … rotated/);
  const after = await gqlOk(srv, '{ tenant(slug: "onb-acme") { signingKeys { kid status } } }', {}, token);
  const wasActive = before.tenant.signingKeys.filter((k: any) => k.status === 'ACTIVE').map((k: any) => k.kid);
  for (const kid of wasActive) assert.equal(after.tenant.signingKeys.find((k: any) => k.kid === kid).status, 'RETIRED');
  const all = await run('rotate-keys.ts', ['--all']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /onb-acme … rotated/);
  assert.match(all.stdout, /system … rotated/);
  const usage = await run('rotate-keys.ts', []);
  assert.equal(usage.code, 2);
});
