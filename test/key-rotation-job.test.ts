import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KEY_ROTATION_LEASE, KeyRotationJob } from '../src/keys/key-rotation-job.js';
import { adminToken, createTenant, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let token: string;
const DAY = 24 * 3600 * 1000;

before(async () => {
  srv = await startTestServer({ label: 'keyrotjob' });
  token = await adminToken(srv);
  await createTenant(srv, 'monthly', 'Monthly', { settings: { keyRotationDays: 30 } });
  await createTenant(srv, 'weekly', 'Weekly', { settings: { keyRotationDays: 7 } });
  await createTenant(srv, 'manual', 'Manual');
});
after(() => srv.close());

const activeKid = async (slug: string) =>
  (await gqlOk(srv, `{ tenant(slug: "${slug}") { signingKeys { kid alg status } } }`, {}, token)).tenant.signingKeys.find(
    (k: any) => k.alg === 'RS256' && k.status === 'ACTIVE',
  ).kid as string;

test('rotates exactly the tenants whose policy says they are due', async () => {
  const job = new KeyRotationJob(srv.rt, { holder: 'replica-a' });
  const before = { monthly: await activeKid('monthly'), weekly: await activeKid('weekly'), manual: await activeKid('manual') };
  assert.deepEqual((await job.runOnce(new Date())).rotated, []);
  const run = await job.runOnce(new Date(Date.now() + 8 * DAY));
  assert.deepEqual(run, { acquired: true, rotated: ['weekly'] });
  assert.notEqual(await activeKid('weekly'), before.weekly);
  assert.equal(await activeKid('monthly'), before.monthly);
  const later = await job.runOnce(new Date(Date.now() + 31 * DAY));
  assert.deepEqual(later.rotated.sort(), ['monthly', 'weekly']);
  assert.equal(await activeKid('manual'), before.manual);
  // Recorded in the audit trail as the provider's own change.
  const audit = await gqlOk(
    srv,
    '{ auditEvents(tenant: "monthly", filter: {operation: "scheduledKeyRotation"}) { edges { node { actorClientId before after } } } }',
    {},
    token,
  );
  assert.equal(audit.auditEvents.edges.length, 1);
  assert.equal(audit.auditEvents.edges[0].node.actorClientId, 'gatehouse');
  await job.stop();
  assert.equal(await srv.store.leases.get(KEY_ROTATION_LEASE), null);
});

test('a database lease lets only one replica rotate; an expired lease can be taken over', async () => {
  const a = new KeyRotationJob(srv.rt, { holder: 'replica-a', leaseMs: 60_000 });
  const b = new KeyRotationJob(srv.rt, { holder: 'replica-b', leaseMs: 60_000 });
  const due = new Date(Date.now() + 100 * DAY);
  const kid = await activeKid('monthly');
  const [ra, rb] = await Promise.all([a.runOnce(due), b.runOnce(due)]);
  assert.equal([ra.acquired, rb.acquired].filter(Boolean).length, 1, 'exactly one replica holds the lease');
  const winner = ra.acquired ? ra : rb;
  assert.ok(winner.rotated.includes('monthly'));
  // Rotated once, not twice: the new ACTIVE key is the old NEXT one.
  const keys = (await gqlOk(srv, '{ tenant(slug: "monthly") { signingKeys { kid alg status } } }', {}, token)).tenant.signingKeys;
  assert.equal(keys.find((k: any) => k.kid === kid).status, 'RETIRED');
  const loser = ra.acquired ? b : a;
  assert.equal((await loser.runOnce(due)).acquired, false, 'the lease is still held');
  assert.equal((await loser.runOnce(new Date(due.getTime() + 61_000))).acquired, true, 'a lapsed lease is taken over');
  await a.stop();
  await b.stop();
});

test('start/stop: the timer runs passes and stop waits for the one in progress', async () => {
  const job = new KeyRotationJob(srv.rt, { holder: 'replica-c', intervalMs: 50 });
  job.start();
  await new Promise((r) => setTimeout(r, 200));
  await job.stop();
  assert.equal(await srv.store.leases.get(KEY_ROTATION_LEASE), null);
});
