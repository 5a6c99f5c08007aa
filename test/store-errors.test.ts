/**
 * Which driver errors mean "the database is away" (a 503 to the caller) and which mean "the
 * request is wrong". Built from the driver's own error classes; the outage tests
 * (fault-database.test.ts) meet them for real, but only when the timing of a kill happens
 * to raise them: a killed server's pool is cleared with PoolClearedOnNetworkError in every
 * operation in flight, which once answered 500 there.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { isStoreUnavailable } from '../src/store/errors.js';
import { StoreGuard } from '../src/store/guard.js';

const require = createRequire(import.meta.url);
// Not exported by the driver: the pool errors are raised inside it only.
const pool = require('mongodb/lib/cmap/errors.js') as {
  PoolClearedError: new (pool: object, message?: string) => Error;
  PoolClearedOnNetworkError: new (pool: object) => Error;
  PoolClosedError: new (pool: object) => Error;
  WaitQueueTimeoutError: new (message: string, address: string) => Error;
};
const fakePool = { address: '127.0.0.1:27017', serverError: new MongoNetworkError('connection closed') };

test('outage errors of the driver are unavailable: network, pool, selection, shutdown codes and retry labels', () => {
  const outages: [string, unknown][] = [
    ['network', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    ['pool cleared', new pool.PoolClearedError(fakePool)],
    ['pool cleared on network error', new pool.PoolClearedOnNetworkError(fakePool)],
    ['pool closed', new pool.PoolClosedError(fakePool)],
    ['wait queue', new pool.WaitQueueTimeoutError('timed out', fakePool.address)],
    ['server selection', new MongoServerSelectionError('no server', { servers: new Map() } as never)],
    ['shutdown in progress', new MongoServerError({ message: 'shutting down', code: 91 })],
    ['interrupted at shutdown', new MongoServerError({ message: 'interrupted', code: 11600 })],
    ['not writable primary', new MongoServerError({ message: 'not primary', code: 10107 })],
    ['maxTimeMS', new MongoServerError({ message: 'operation exceeded time limit', code: 50, codeName: 'MaxTimeMSExpired' })],
    ['retryable label', new MongoServerError({ message: 'overloaded', code: 462, errorLabels: ['SystemOverloadedError'] })],
  ];
  for (const [what, err] of outages) assert.equal(isStoreUnavailable(err), true, what);
});

test('errors of the request are not: duplicate key, validation, a bug, nothing at all', () => {
  const faults: [string, unknown][] = [
    ['duplicate key', new MongoServerError({ message: 'E11000 duplicate key', code: 11000 })],
    ['document validation', new MongoServerError({ message: 'failed validation', code: 121 })],
    ['bad value', new MongoServerError({ message: 'bad value', code: 2 })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a string', 'oops'],
    ['null', null],
  ];
  for (const [what, err] of faults) assert.equal(isStoreUnavailable(err), false, what);
});

test('the guard: a driver failure of an operation sent before the breaker opened is the outage too; server answers are not', async () => {
  // The guard pings through the connection only to find recovery; this one never answers.
  const deadConnection = { db: { command: () => Promise.reject(new MongoNetworkError('connection refused')) } };
  const guard = new StoreGuard(deadConnection as never, { timeoutMs: 1_000, probeIntervalMs: 60_000 });
  try {
    // While the database answers, a driver failure is a bug and is not hidden as an outage.
    const runtime = Object.assign(new Error('driver state'), { name: 'MongoRuntimeError' });
    await assert.rejects(
      guard.run(() => Promise.reject(runtime)),
      (err) => err === runtime,
    );
    assert.equal(guard.isDown, false);

    let failLate: (err: unknown) => void = () => undefined;
    const inFlight = guard.run(() => new Promise((_, reject) => (failLate = reject)));
    let failDuplicate: (err: unknown) => void = () => undefined;
    const duplicateInFlight = guard.run(() => new Promise((_, reject) => (failDuplicate = reject)));
    await assert.rejects(
      guard.run(() => Promise.reject(new MongoNetworkError('connection 3 closed'))),
      (err) => isStoreUnavailable(err),
    );
    assert.equal(guard.isDown, true);
    failLate(Object.assign(new Error('Cannot call `tenants.findOne()` before initial connection is complete'), { name: 'MongooseError' }));
    await assert.rejects(inFlight, (err: Error) => err.name === 'StoreUnavailableError');
    const duplicate = new MongoServerError({ message: 'E11000 duplicate key', code: 11000 });
    failDuplicate(duplicate);
    await assert.rejects(duplicateInFlight, (err) => err === duplicate);
    // While open, nothing reaches the database.
    await assert.rejects(
      guard.run(() => assert.fail('not sent')),
      (err) => isStoreUnavailable(err),
    );
  } finally {
    await guard.close();
  }
});

test('the guard: an operation that throws before returning a promise is classified like a rejection, and leaves no timer behind', async () => {
  const guard = new StoreGuard({ db: { command: () => Promise.resolve({ ok: 1 }) } } as never, { timeoutMs: 50, probeIntervalMs: 60_000 });
  try {
    const bug = new TypeError('a bug in the caller');
    await assert.rejects(
      guard.run(() => {
        throw bug;
      }),
      (err) => err === bug,
    );
    assert.equal(guard.isDown, false);
    // Past the budget: a deadline left running would reject with nobody listening (an unhandled rejection fails this file).
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(
      guard.run(() => {
        throw new MongoNetworkError('connection 7 closed');
      }),
      (err: Error) => err.name === 'StoreUnavailableError',
    );
    assert.equal(guard.isDown, true);
  } finally {
    await guard.close();
  }
});
