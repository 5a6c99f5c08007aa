/**
 * The fault harness itself (test/helpers/fault-db.ts): a frozen database keeps connections
 * open and answers nothing; thawed it carries on; killed and restarted it keeps its data
 * behind the same connection string; a real Gatehouse process can be started and killed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MongoClient } from 'mongodb';
import { startFaultDatabase, startGatehouseProcess, type FaultDatabase } from './helpers/fault-db.js';
import { testDatabaseName } from './helpers/server.js';

describe('fault harness', () => {
  let db: FaultDatabase;
  before(async () => {
    db = await startFaultDatabase({ label: 'harness' });
  });
  after(async () => {
    await db?.stop();
  });

  test('freeze, thaw, kill and restart on the same data and connection string', async () => {
    const name = testDatabaseName('harness');
    const write = async (doc: Record<string, unknown>) => {
      const c = new MongoClient(db.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        await c.db(name).collection('things').insertOne(doc);
      } finally {
        await c.close();
      }
    };
    await write({ _id: 'before' } as never);

    const client = new MongoClient(db.uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000, socketTimeoutMS: 1000 });
    try {
      await client.db(name).command({ ping: 1 });
      db.freeze();
      await assert.rejects(client.db(name).collection('things').findOne({}), 'a frozen server answers nothing');
    } finally {
      // A failed assertion must not leave the server frozen or the client open (the file would hang).
      db.thaw();
      await client.close().catch(() => undefined);
    }

    await db.kill();
    await assert.rejects(write({ _id: 'during' } as never));
    await db.restart();
    await write({ _id: 'after' } as never);
    const c = new MongoClient(db.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      const ids = (await c.db(name).collection('things').find({}).toArray()).map((d) => d._id).sort();
      assert.deepEqual(ids, ['after', 'before']);
    } finally {
      await c.close();
    }
  });

  test('a real Gatehouse process starts on it and dies of SIGKILL', async () => {
    const proc = await startGatehouseProcess({ mongodbUri: db.uri, waitFor: 'ready' });
    const res = await fetch(`${proc.url}/t/system/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    proc.kill('SIGKILL');
    assert.equal((await proc.exited).signal, 'SIGKILL');
  });
});
