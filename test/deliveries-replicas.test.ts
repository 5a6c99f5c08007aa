/**
 * Deliveries in flight survive a restart and are delivered once by one of two replicas:
 * an event webhook delivery and a back-channel logout token, each failing while the
 * first process runs, which then stops; two replicas on the same database resume the
 * schedule from the database, and the receiver sees exactly one successful POST.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, createTenant, gqlOk } from './helpers/admin.js';
import { json, sleep, startReceiver, waitFor, type Receiver } from './helpers/extensions.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MASTER = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), GATEHOUSE_WEBHOOK_RETRY_SECONDS: '0.3' };
const T = 'relay';

describe('deliveries in flight across a restart, with two replicas', () => {
  let first: TestServer;
  const replicas: TestServer[] = [];
  let receiver: Receiver;
  let up = false;
  /** Successful (2xx) POSTs by delivery or token. */
  const delivered: string[] = [];
  const attempts: Record<string, number> = {};

  before(async () => {
    receiver = await startReceiver(async (req, res) => {
      const key = req.path === '/hook' ? String(req.headers['gatehouse-delivery']) : new URLSearchParams(req.body).get('logout_token')!;
      attempts[key] = (attempts[key] ?? 0) + 1;
      if (!up) return json(res, 503, {});
      // Slow enough that two replicas would overlap if both sent it.
      await sleep(200);
      delivered.push(key);
      json(res, 200, {});
    });
    first = await startTestServer({ label: 'relay', env: MASTER });
    await createTenant(first, T, 'Relay');
    await gqlOk(
      first,
      `mutation($i: EventWebhookInput!) { setEventWebhook(tenant: "${T}", input: $i) { webhook { name } } }`,
      { i: { name: 'hook', url: `${receiver.url}/hook`, eventTypes: ['CLIENT_CHANGED'] } },
      await adminToken(first),
    );
  });
  after(async () => {
    for (const r of replicas) await r.close();
    await first?.close().catch(() => undefined);
    await receiver?.close();
  });

  test('each is delivered once, by one replica, after the first process stopped', async () => {
    const tenant = (await first.rt.tenants.get(T))!;
    const event = await first.rt.events.record(tenant, { type: 'CLIENT_CHANGED', data: { why: 'relay test' } });
    await first.rt.logoutDeliveries.enqueue(tenant, 'rp-1', `${receiver.url}/bc`, 'a-logout-token', new Date(Date.now() + 120_000));
    const deliveryId = `${event._id}.hook`;
    await waitFor(() => attempts[deliveryId] && attempts['a-logout-token'], 10_000, 'the first failed attempts');
    // The process stops with both pending (their timers die with it); the receiver recovers.
    await first.rt.events.stop();
    await first.rt.logoutDeliveries.stop();
    up = true;

    for (let i = 0; i < 2; i++) {
      const r = await startTestServer({ label: `relay${i}`, dbName: first.dbName, env: MASTER });
      r.rt.events.start();
      r.rt.logoutDeliveries.start();
      replicas.push(r);
    }
    await waitFor(() => delivered.includes(deliveryId) && delivered.includes('a-logout-token'), 20_000, 'both deliveries');
    // Stopping both replicas' senders waits for every attempt in progress: a second sender,
    // had one claimed a delivery too, has posted by then (instead of waiting a while for it).
    for (const r of replicas) {
      await r.rt.events.stop();
      await r.rt.logoutDeliveries.stop();
    }
    assert.equal(delivered.filter((k) => k === deliveryId).length, 1, 'the webhook delivery is sent once');
    assert.equal(delivered.filter((k) => k === 'a-logout-token').length, 1, 'the logout token is sent once');
    const row = await tenant.store.eventDeliveries.find(deliveryId);
    assert.equal(row?.status, 'DELIVERED');
    const logoutRows = await first.db.collection('logout_deliveries').find({ tenantId: tenant.id }).toArray();
    assert.deepEqual(
      logoutRows.map((r) => r.status),
      ['DELIVERED'],
    );
  });
});
