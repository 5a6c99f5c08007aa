/**
 * Events and audit records under database faults (docs/operations.md, "Events, audit and
 * deliveries under faults"): a database of its own (test/helpers/fault-db.ts) is killed
 * while Gatehouse works; what was accepted is written once it is back, the outbox is
 * bounded and counted, an admin change during the outage is refused and still audited,
 * and a journal left by a kill -9 is replayed by the next process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { outboxDropped, outboxMetrics } from '../src/events/outbox-metrics.js';
import { Store } from '../src/store/index.js';
import { adminToken, clientCredentials, createClient, createTenant, gql, gqlOk } from './helpers/admin.js';
import {
  PROCESS_ADMIN_ID,
  PROCESS_ADMIN_SECRET,
  startFaultDatabase,
  startGatehouseProcess,
  startServerOn,
  type FaultDatabase,
} from './helpers/fault-db.js';
import type { TestServer } from './helpers/server.js';

async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function pendingGauge(kind: string): Promise<number> {
  const m = await outboxMetrics.getSingleMetric('gatehouse_outbox_pending')!.get();
  return m.values.find((v) => v.labels.kind === kind)?.value ?? 0;
}

async function droppedCount(kind: string): Promise<number> {
  const m = await outboxDropped.get();
  return m.values.filter((v) => v.labels.kind === kind && v.labels.reason === 'full').reduce((a, v) => a + v.value, 0);
}

const markerEvents = async (srv: TestServer, slug: string, marker: string) => {
  const tenant = (await srv.rt.tenants.get(slug))!;
  const page = await tenant.store.events.list({ first: 500 }, { types: ['CLIENT_CHANGED'] });
  return page.items.filter((e) => (JSON.parse(e.data) as { marker?: string }).marker === marker);
};

describe('events and audit records survive a database outage', () => {
  let db: FaultDatabase;
  let srv: TestServer;
  let small: TestServer;
  let token: string;
  let client: { clientId: string; clientSecret: string | null };

  before(async () => {
    db = await startFaultDatabase({ label: 'outbox' });
    // A long sync interval keeps this replica's revocation view confirmed through the outage,
    // so an admin request reaches the mutation and its audit-first write (with the default
    // interval admin access fails closed before that: admin-token-revocation.test.ts).
    srv = await startServerOn(db, {
      label: 'outbox',
      env: { GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-outbox-')), GATEHOUSE_CACHE_SYNC_SECONDS: '300' },
    });
    small = await startServerOn(db, {
      label: 'outboxsmall',
      env: { GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-outbox-')), GATEHOUSE_OUTBOX_MAX_PENDING: '5' },
    });
    token = await adminToken(srv);
    await createTenant(srv, 'acme', 'Acme');
    client = await createClient(srv, 'acme', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      responseTypes: [],
      scopes: ['api'],
    });
    await createTenant(small, 'tiny', 'Tiny');
    // Warm the caches the outage must not need.
    assert.equal((await clientCredentials(srv, 'acme', client.clientId, client.clientSecret!)).status, 200);
    await srv.rt.events.idle();
  });
  after(async () => {
    await srv?.close();
    await small?.close();
    await db?.stop();
  });

  test('events accepted while the database is down are written when it returns; the outbox is bounded and counted; admin changes are refused and audited', async () => {
    const acme = (await srv.rt.tenants.get('acme'))!;
    const tiny = (await small.rt.tenants.get('tiny'))!;
    // The warm-up token's event is written (batched: it may still be on its way).
    const before = await waitFor(
      async () => (await acme.store.events.list({ first: 500 }, { types: ['TOKEN_ISSUED'] })).items.length,
      10_000,
      'the warm-up event',
    );
    const droppedBefore = await droppedCount('event');

    await db.kill();
    // Tokens issued from memory (if the endpoint can) and events emitted directly.
    let issued = 0;
    for (let i = 0; i < 3; i++) {
      const res = await clientCredentials(srv, 'acme', client.clientId, client.clientSecret!).catch(() => null);
      if (res?.status === 200) issued++;
    }
    for (let i = 0; i < 10; i++) srv.rt.events.emit(acme, { type: 'CLIENT_CHANGED', data: { marker: 'outage', i } });
    for (let i = 0; i < 8; i++) small.rt.events.emit(tiny, { type: 'CLIENT_CHANGED', data: { marker: 'bounded', i } });

    // An admin change while the database is away: refused, nothing applied.
    const refused = await gql(
      srv,
      `mutation { updateTenant(slug: "acme", input: { displayName: "Changed in the dark" }) { slug } }`,
      {},
      token,
    );
    assert.equal(refused.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');

    await waitFor(async () => (await pendingGauge('event')) >= 10 + 5, 10_000, 'the pending gauge');
    assert.ok((await pendingGauge('audit')) >= 1, 'the refused change is queued for the audit trail');
    assert.equal(small.rt.outbox.size, 5, 'the small outbox holds its bound');
    assert.equal((await droppedCount('event')) - droppedBefore, 3, 'three events past the bound are counted as dropped');

    await db.restart();
    await waitFor(async () => srv.rt.outbox.size === 0 && small.rt.outbox.size === 0, 30_000, 'the outboxes to drain');

    assert.equal((await markerEvents(srv, 'acme', 'outage')).length, 10, 'every event of the outage is written, once');
    assert.equal((await markerEvents(small, 'tiny', 'bounded')).length, 5, 'the bounded outbox wrote what it kept');
    const tokens = (await acme.store.events.list({ first: 500 }, { types: ['TOKEN_ISSUED'] })).items.length;
    assert.equal(tokens - before, issued, 'every token issued during the outage has its event');

    const trail = await gqlOk(
      srv,
      `{ auditEvents(tenant: "acme", filter: { operation: "updateTenant" }) { edges { node { outcome errorCode } } } }`,
      {},
      token,
    );
    assert.deepEqual(
      trail.auditEvents.edges.map((e: { node: unknown }) => e.node),
      [{ outcome: 'FAILURE', errorCode: 'SERVICE_UNAVAILABLE' }],
    );
    const now = await gqlOk(srv, `{ tenant(slug: "acme") { displayName } }`, {}, token);
    assert.equal(now.tenant.displayName, 'Acme');
  });
});

describe('a journal left by kill -9 is replayed by the next process', () => {
  let db: FaultDatabase;
  before(async () => {
    db = await startFaultDatabase({ label: 'journal' });
  });
  after(async () => {
    await db?.stop();
  });

  test('audit records journaled during an outage reach the database after a crash and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-journal-'));
    // A long sync interval: the admin token stays confirmed through the outage (see above).
    const env = {
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
      GATEHOUSE_CACHE_SYNC_SECONDS: '300',
    };
    const first = await startGatehouseProcess({ mongodbUri: db.uri, env, waitFor: 'ready' });
    const srvLike = { url: first.url } as TestServer;
    const token = await adminToken(srvLike, 'admin', PROCESS_ADMIN_ID, PROCESS_ADMIN_SECRET);
    await gqlOk(srvLike, `mutation { createTenant(input: { slug: "globex", displayName: "Globex" }) { tenant { slug } } }`, {}, token);

    await db.kill();
    for (const name of ['one', 'two']) {
      const r = await gql(
        srvLike,
        `mutation($n: String!) { updateTenant(slug: "globex", input: { displayName: $n }) { slug } }`,
        { n: name },
        token,
      );
      assert.equal(r.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
    }
    first.kill('SIGKILL');
    await first.exited;
    await db.restart();

    const second = await startGatehouseProcess({ mongodbUri: db.uri, dbName: first.dbName, env, waitFor: 'ready' });
    try {
      const store = await Store.open(db.uri, first.dbName);
      try {
        const records = await waitFor(
          async () => {
            const page = await store.auditEvents.list({ first: 50 }, { operation: 'updateTenant' });
            return page.items.length === 2 ? page.items : undefined;
          },
          20_000,
          'the replayed audit records',
        );
        assert.deepEqual(
          records.map((r) => [r.outcome, r.errorCode]),
          [
            ['FAILURE', 'SERVICE_UNAVAILABLE'],
            ['FAILURE', 'SERVICE_UNAVAILABLE'],
          ],
        );
        assert.equal((await store.tenants.findBySlug('globex'))?.displayName, 'Globex', 'nothing was applied');
      } finally {
        await store.close();
      }
    } finally {
      second.kill('SIGKILL');
      await second.exited;
    }
  });
});
