/**
 * Checks that the database the test runner provides (scripts/run-tests.ts →
 * GATEHOUSE_TEST_MONGODB_URI) supports what Gatehouse relies on (docs/databases.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoClient, type Db } from 'mongodb';

const uri = process.env.GATEHOUSE_TEST_MONGODB_URI;
const runId = process.env.GATEHOUSE_TEST_RUN_ID;

describe('development/test database', () => {
  let client: MongoClient;
  let db: Db;

  before(async () => {
    assert.ok(uri, 'GATEHOUSE_TEST_MONGODB_URI is not set: run the tests with `npm test` (scripts/run-tests.ts)');
    assert.ok(runId, 'GATEHOUSE_TEST_RUN_ID is not set: run the tests with `npm test` (scripts/run-tests.ts)');
    assert.ok(!/^mongodb(\+srv)?:\/\/[^/]*\/[^?]/.test(uri), `GATEHOUSE_TEST_MONGODB_URI must not name a database: ${uri}`);
    client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    db = client.db(`gh_test_${runId}_devdb`);
  });

  after(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  it('inserts and reads back a document', async () => {
    const col = db.collection<{ _id: string; name: string; n: number; tags: string[] }>('docs');
    await col.insertOne({ _id: 'a', name: 'alpha', n: 1, tags: ['x', 'y'] });
    const got = await col.findOne({ _id: 'a' });
    assert.deepEqual(got, { _id: 'a', name: 'alpha', n: 1, tags: ['x', 'y'] });
    assert.equal(await col.countDocuments({ tags: 'y' }), 1);
  });

  it('findOneAndUpdate is atomic: of two concurrent claims exactly one wins', async () => {
    const col = db.collection<{ _id: string; used: boolean }>('codes');
    for (let i = 0; i < 10; i++) {
      const _id = `code-${i}`;
      await col.insertOne({ _id, used: false });
      const claim = () => col.findOneAndUpdate({ _id, used: false }, { $set: { used: true } }, { returnDocument: 'after' });
      const results = await Promise.all([claim(), claim()]);
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1, `exactly one claim of ${_id} must succeed`);
      assert.deepEqual(winners[0], { _id, used: true });
    }
  });

  it('records whether a key containing "." is accepted', async (t) => {
    // Observed behaviour (recorded, not asserted; docs/databases.md forbids such keys anyway):
    // - FerretDB 1.24.2 (SQLite) refuses the insert: MongoServerError code 2 (BadValue),
    //   message `invalid key: "https://example.com/roles" (key must not contain '.' sign)`.
    // - MongoDB 5.0+ accepts it (and stores the key as is).
    const col = db.collection<{ _id: string; [key: string]: unknown }>('dotted');
    let outcome: string;
    try {
      await col.insertOne({ _id: 'dot', 'https://example.com/roles': ['admin'] });
      const back = await col.findOne({ _id: 'dot' });
      outcome = `accepted (read back: ${JSON.stringify(back)})`;
    } catch (err) {
      const e = err as { code?: unknown; codeName?: unknown; message: string };
      outcome = `refused: code=${String(e.code)} codeName=${String(e.codeName)} message=${e.message}`;
    }
    t.diagnostic(`dotted document key: ${outcome}`);
    assert.ok(outcome.length > 0);
  });
});
