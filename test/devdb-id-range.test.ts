/**
 * `_id` ranges on the development database (devdb/ferretdb-patches.ts: a string range on
 * `_id` is narrowed in SQL) answer exactly what MongoDB answers, and the platform-wide
 * sweep of events and webhook deliveries (store/repos/events.ts) removes what expired by
 * its time-ordered `_id` and keeps the rest (docs/performance.md "Tenant loading").
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ObjectId } from 'mongodb';
import { timeOrderedId } from '../src/store/ids.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';

const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };
const DAY = 86_400_000;

describe('_id ranges', () => {
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer({ dbName: testDatabaseName('idrange'), env });
  });
  after(() => srv?.close());

  test('a string range on _id matches the strings in byte order and nothing of another type', async () => {
    // Strings that JSON escapes or that sort around the quote character, a prefix and its
    // extensions, non-ASCII, and ids that are not strings.
    const strings = [
      '',
      'a',
      'a ',
      'a!',
      'a"',
      'a#',
      'a\\',
      'a\u0001',
      'ab',
      'abc',
      'b',
      'B',
      'é',
      'z<',
      '\u2028',
      '0018f3a1c2',
      '0\u0001',
      '0"',
      '0&',
      '0<',
      '0>',
      '0\\',
      '0\u2028',
      '01',
      '0018f3a1c1zz',
      '0018f3a1c2.hook',
    ];
    const others: unknown[] = [5, 7.5, new ObjectId(), { k: 'a' }, true];
    const coll = srv.db.collection<{ _id: unknown; n: number }>('id_range_probe');
    await coll.insertMany([...strings, ...others].map((_id, n) => ({ _id, n })) as never[]);
    const before = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const ops: Record<string, (c: number) => boolean> = {
      $lt: (c) => c < 0,
      $lte: (c) => c <= 0,
      $gt: (c) => c > 0,
      $gte: (c) => c >= 0,
    };
    for (const bound of ['a', 'a!', 'a"', 'ab', 'a\\', 'é', '', '0018f3a1c2', '0018f3a1c2.hook', '01', '0', '1', 'A', 'zz', '~']) {
      for (const [op, holds] of Object.entries(ops)) {
        const found = (await coll.find({ _id: { [op]: bound } } as never).toArray()).map((d) => d._id as string).sort(before);
        const expected = strings.filter((s) => holds(before(s, bound))).sort(before);
        assert.deepEqual(found, expected, `${op} ${JSON.stringify(bound)}`);
      }
    }
    const between = (await coll.find({ _id: { $gt: 'a', $lt: 'b' } } as never).toArray()).map((d) => d._id as string).sort(before);
    assert.deepEqual(between, strings.filter((s) => before(s, 'a') > 0 && before(s, 'b') < 0).sort(before));
    // An operator the narrowing does not know leaves the filter to FerretDB as a whole.
    assert.equal(await coll.countDocuments({ _id: { $in: ['a', 'b'], $lt: 'b' } } as never), 1);
  });

  test('the event sweep removes events and deliveries past their retention and keeps the rest', async () => {
    const now = srv.clock.date();
    const at = (ms: number) => new Date(now.getTime() + ms);
    const events = srv.db.collection('events');
    const deliveries = srv.db.collection('deliveries');
    const event = (made: number, expires: number) => ({
      _id: timeOrderedId(now.getTime() + made),
      tenantId: 'tenant-sweep',
      type: 'TOKEN_ISSUED',
      at: at(made),
      userId: null,
      clientId: null,
      data: '{}',
      expiresAt: at(expires),
    });
    const expired = event(-31 * DAY, -DAY); // made before the 30-day retention, expired
    const kept = event(-31 * DAY, DAY); // as old, but kept longer when it was made
    const recent = event(-DAY, 29 * DAY);
    const shorter = event(-2 * DAY, -DAY); // expired under a shorter retention: waits until it is 30 days old
    await events.insertMany([expired, kept, recent, shorter] as never[]);
    const delivery = (e: { _id: string }, made: number, expires: number) => ({
      _id: `${e._id}.hook`,
      tenantId: 'tenant-sweep',
      webhook: 'hook',
      expiresAt: at(expires),
      createdAt: at(made),
    });
    await deliveries.insertMany([
      delivery(expired, -31 * DAY, -24 * DAY),
      delivery(kept, -31 * DAY, DAY),
      delivery(recent, -DAY, 6 * DAY),
    ] as never[]);

    await srv.store.eventLog.sweep(now);

    const ids = async (c: typeof events) => (await c.find({ tenantId: 'tenant-sweep' }).toArray()).map((d) => d._id).sort();
    assert.deepEqual(await ids(events), [kept._id, recent._id, shorter._id].sort());
    assert.deepEqual(await ids(deliveries), [`${kept._id}.hook`, `${recent._id}.hook`].sort());
  });
});
