import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { parseTenantFile, TenantFileError } from '../src/tenant-files/tenant-file.js';
import { adminToken, gqlOk } from './helpers/admin.js';
import { decodePayload, issueCode, redeem, userinfo } from './helpers/issue.js';
import { runScript } from './helpers/run-script.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Claim resolvers, hooks and event webhooks as tenant files: the example
 * tenants/examples/acme-claims.yaml is accepted by `onboard --dry-run`, applies, works
 * (its code comes from tenants/acme/resolvers.ts and tenants/shared/resolvers.ts), and
 * round-trips through `export` with nothing left to change.
 */
const EXAMPLE = join('tenants', 'examples', 'acme-claims.yaml');
const dir = join('test-output', `claims-files-${randomBytes(4).toString('hex')}`);
let srv: TestServer;

before(async () => {
  srv = await startTestServer({ label: 'claimfiles' });
  mkdirSync(dir, { recursive: true });
});
after(() => srv.close());

const run = (script: string, args: string[]) => runScript(srv, script, args);

test('the example tenant file: dry run, apply, it works, export round-trips, a second run changes nothing', async () => {
  const dry = await run('onboard.ts', [EXAMPLE, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  for (const line of [
    '+ tenant acme',
    '+ claimResolver department',
    '+ claimResolver https://acme.example/roles',
    '+ hook AFTER_LOGIN',
    '+ eventWebhook siem',
  ])
    assert.ok(dry.stdout.includes(line), line);
  assert.match(dry.stdout, /Dry run/);

  const applied = await run('onboard.ts', [EXAMPLE]);
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  assert.match(applied.stdout, /acme\/event webhook siem: whsec_/, 'event webhook secrets are printed once');
  assert.match(applied.stdout, /acme\/acme-portal: \S+/);

  const token = await adminToken(srv);
  const d = await gqlOk(
    srv,
    `{ tenant(slug: "acme") { claimResolvers { name kind } hooks { point kind } eventWebhooks { name eventTypes } users { edges { node { id } } } clients { edges { node { clientId } } } } }`,
    {},
    token,
  );
  assert.equal(d.tenant.claimResolvers.length, 7);
  assert.equal(d.tenant.hooks.length, 4);
  assert.deepEqual(
    d.tenant.eventWebhooks.map((w: { name: string }) => w.name),
    ['analytics', 'siem'],
  );

  // The example works: mapping with coercion, template, constant, shared and tenant code, ID token hook, sub generator.
  const portal = await gqlOk(srv, `mutation { rotateClientSecret(tenant: "acme", clientId: "acme-portal") { clientSecret } }`, {}, token);
  const userId = d.tenant.users.edges[0].node.id as string;
  const c = await issueCode(srv, 'acme', { clientId: 'acme-portal', userId, scopes: ['openid', 'profile', 'email', 'org', 'roles'] });
  const t = await redeem(srv, 'acme', c, ['acme-portal', portal.rotateClientSecret.clientSecret]);
  assert.equal(t.status, 200, JSON.stringify(t.body));
  const id = decodePayload(t.body.id_token);
  assert.equal(id.sub, 'emp-1024');
  assert.equal(id['https://acme.example/region'], 'eu');
  const at = decodePayload(t.body.access_token);
  assert.equal(at.cost_center, 4711);
  assert.equal(at.tenant_tier, 'gold');
  assert.deepEqual(at['https://acme.example/roles'], ['acme-portal:editor', 'admin', 'engineering']);
  const ui = (await userinfo(srv, 'acme', t.body.access_token)).body;
  assert.equal(ui.display_name, 'Alice Liddell');
  assert.equal(ui.department, 'platform');
  assert.equal(ui.email_domain, 'acme.example');
  assert.equal(ui.sub, 'emp-1024');

  const exported = await run('export.ts', ['acme']);
  assert.equal(exported.code, 0, exported.stderr);
  const original = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>;
  const back = parse(exported.stdout) as Record<string, any>;
  // The same entries (the API lists resolvers and webhooks by name, hooks by point).
  const sorted = (list: Record<string, string>[], key: string) => [...list].sort((a, b) => (a[key]! < b[key]! ? -1 : 1));
  for (const [key, by] of [
    ['claimResolvers', 'name'],
    ['hooks', 'point'],
    ['eventWebhooks', 'name'],
  ] as const)
    assert.deepEqual(sorted(back[key], by), sorted(original[key], by), key);
  assert.doesNotMatch(exported.stdout, /whsec_/);

  const out = join(dir, 'acme.yaml');
  writeFileSync(out, exported.stdout);
  const again = await run('onboard.ts', [out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /No changes: everything already matches/);

  const changed = readFileSync(EXAMPLE, 'utf8').replace('cacheTtlSeconds: 300', 'cacheTtlSeconds: 120');
  const changedFile = join(dir, 'changed.yaml');
  writeFileSync(changedFile, changed);
  const one = await run('onboard.ts', [changedFile]);
  assert.match(one.stdout, /1 change\(s\)/);
  assert.match(one.stdout, /~ claimResolver entitlements\n\s+webhook: .*"cacheTtlSeconds":300.* → .*"cacheTtlSeconds":120/);
});

test('tenant files are checked before anything is applied', () => {
  const base = 'slug: checked\ndisplayName: Checked\n';
  const problems = (text: string): string[] => {
    try {
      parseTenantFile(base + text, 'checked.yaml');
      return [];
    } catch (err) {
      assert.ok(err instanceof TenantFileError);
      return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  assert.deepEqual(problems('claimResolvers:\n  - name: sub\n    kind: MAPPING\n    mapping: { constant: x }\n'), [
    'claimResolvers[0].name: "sub" is a protocol claim and cannot be resolved',
  ]);
  assert.match(
    problems('claimResolvers:\n  - name: x\n    kind: MAPPING\n    mapping: { path: a.b }\n')[0]!,
    /claimResolvers\[0\]\.mapping/,
  );
  assert.match(problems('claimResolvers:\n  - name: x\n    kind: LOOKUP\n')[0]!, /kind: must be one of MAPPING, CODE, WEBHOOK/);
  assert.match(
    problems('hooks:\n  - point: SUB_GENERATOR\n    kind: WEBHOOK\n    webhook: { url: "https://x.example/" }\n')[0]!,
    /hooks\[0\]\.kind/,
  );
  assert.match(
    problems('hooks:\n  - { point: AFTER_LOGIN, kind: CODE, code: a }\n  - { point: AFTER_LOGIN, kind: CODE, code: b }\n')[0]!,
    /defined twice/,
  );
  assert.match(problems('eventWebhooks:\n  - name: w\n    url: http://receiver.example.com/\n')[0]!, /eventWebhooks\[0\]\.url/);
  assert.match(
    problems('eventWebhooks:\n  - name: w\n    url: https://receiver.example.com/\n    eventTypes: [LOGIN]\n')[0]!,
    /eventWebhooks\[0\]\.eventTypes/,
  );
});
