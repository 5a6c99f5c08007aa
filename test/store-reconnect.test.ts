/**
 * Issue 11 item 2: a store whose driver client no longer finds the database while the
 * database answers (the driver's server monitor stayed stuck after a freeze, a thaw and
 * a restart: test/fault-database.test.ts) rebuilds its connection by itself
 * (src/store/reconnect.ts) and every model works on the rebuilt one. Closing the driver
 * client underneath the connection puts it in that state deterministically.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreUnavailable } from '../src/store/errors.js';
import { Store, type DriverClient } from '../src/store/index.js';
import { countCommands } from './helpers/db.js';
import { sleep } from './helpers/issue.js';
import { testDatabaseName, testDatabaseUri } from './helpers/server.js';

test('a connection whose driver client is gone is rebuilt while the database answers, and models work on it', async () => {
  const store = await Store.open(testDatabaseUri(), testDatabaseName('reconnect'), { timeoutMs: 1_500 });
  const counter = countCommands(store);
  let before: DriverClient | undefined;
  store.onDriverClient((client) => (before ??= client));
  try {
    assert.equal(await store.tenants.findBySlug('nobody'), null);
    let current = before!;
    store.onDriverClient((client) => (current = client));
    await before!.close();

    await assert.rejects(store.tenants.findBySlug('nobody'), (err) => isStoreUnavailable(err));
    assert.equal(store.guard?.isDown, true);

    const started = Date.now();
    let found: unknown = 'not yet';
    while (Date.now() - started < 15_000) {
      found = await store.tenants.findBySlug('nobody').catch((err: unknown) => {
        if (isStoreUnavailable(err)) return 'not yet';
        throw err;
      });
      if (found !== 'not yet') break;
      await sleep(200);
    }
    assert.equal(found, null, 'reads work again');
    assert.notEqual(current, before, 'a new driver client');
    assert.equal(store.guard?.isDown, false);
    // Commands on the new client are counted (the listener moved with it).
    const count = counter.count;
    await store.ping();
    assert.ok(counter.count > count);
  } finally {
    await store.close();
  }
});
