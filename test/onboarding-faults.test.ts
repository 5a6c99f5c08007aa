/**
 * `npm run onboard` against a database that blinks (docs/operations.md, "Onboarding
 * tenants from files"): while the database is frozen (SIGSTOP) the server answers 503,
 * the script says so and tries again; once it is thawed the script finishes, and the
 * tenant is complete and made once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { adminToken, gqlOk } from './helpers/admin.js';
import { startFaultDatabase, startServerOn, type FaultDatabase } from './helpers/fault-db.js';
import { runScript } from './helpers/run-script.js';
import type { TestServer } from './helpers/server.js';

const env = { GATEHOUSE_DB_TIMEOUT_MS: '1000', GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };
const dir = join('test-output', `onboarding-faults-${randomBytes(4).toString('hex')}`);
let db: FaultDatabase;
let srv: TestServer;

before(async () => {
  db = await startFaultDatabase({ label: 'onboard' });
  srv = await startServerOn(db, { label: 'onboard-faults', env });
  mkdirSync(dir, { recursive: true });
});
after(async () => {
  db?.thaw();
  await srv?.close();
  await db?.stop();
});

test('a frozen database: the script retries the 503s and completes once the database is back', async () => {
  const file = join(dir, 'blink.yaml');
  writeFileSync(
    file,
    [
      'slug: onb-blink',
      'displayName: Blink',
      'clients:',
      '  - clientId: blink-svc',
      '    name: Blink backend',
      '    clientType: CONFIDENTIAL',
      '    grantTypes: [client_credentials]',
      '',
    ].join('\n'),
  );
  // The admin token is taken while the database answers; planning then meets the freeze.
  db.freeze();
  let thawed = false;
  const run = await runScript(srv, 'onboard.ts', [file], (stdout) => {
    if (!thawed && /unavailable, retrying in \d s/.test(stdout)) {
      thawed = true;
      db.thaw();
    }
  });
  assert.ok(thawed, `the script reported the 503: ${run.stdout}\n${run.stderr}`);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /Applied \d+ change\(s\)/);
  assert.match(run.stdout, /onb-blink\/blink-svc: \S+/, 'the new secret is printed once');

  const token = await adminToken(srv);
  const got = await gqlOk<{ tenant: { clients: { edges: { node: { clientId: string } }[] } } }>(
    srv,
    `{ tenant(slug: "onb-blink") { clients { edges { node { clientId } } } } }`,
    {},
    token,
  );
  assert.deepEqual(
    got.tenant.clients.edges.map((e) => e.node.clientId),
    ['blink-svc'],
  );

  // A second run finds nothing to do.
  const again = await runScript(srv, 'onboard.ts', [file]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /No changes/);
});
