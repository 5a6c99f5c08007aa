/**
 * The bench's same-database reference (bench/oidc-provider/mongodb-adapter.ts) against
 * the real test database, and the report's targets (bench/report.ts) on a made-up result.
 * Benchmarks themselves are never run here (docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import type { AdapterPayload } from 'oidc-provider';
import { batchedWrites, closeMongo, connectMongo, mongoAdapterFor } from '../bench/oidc-provider/mongodb-adapter.js';
import { markdownTable, readmeTable, targetMet, verdicts, type BenchResult, type Row } from '../bench/report.js';

const uri = process.env.GATEHOUSE_TEST_MONGODB_URI;
const dbName = `gh_test_${process.env.GATEHOUSE_TEST_RUN_ID}_bench_op`;

describe('bench: the MongoDB adapter of the same-database reference', () => {
  let raw: MongoClient;

  before(async () => {
    assert.ok(uri, 'GATEHOUSE_TEST_MONGODB_URI is not set: run the tests with scripts/run-tests.ts');
    await connectMongo(uri, dbName);
    raw = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  });

  after(async () => {
    await raw
      ?.db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await raw?.close();
    await closeMongo();
  });

  const Codes = mongoAdapterFor('tenant-a');
  const payload = (grantId: string): AdapterPayload => ({ kind: 'AuthorizationCode', grantId, accountId: 'u1', scope: 'openid' });

  it('stores, finds, consumes and destroys an entry in the tenant’s own collection, with the example’s indexes', async () => {
    const codes = new Codes('AuthorizationCode');
    await codes.upsert('code-1', payload('g1'), 60);
    assert.equal((await codes.find('code-1'))?.grantId, 'g1');
    const doc = await raw
      .db(dbName)
      .collection('tenant-a_authorization_code')
      .findOne({ _id: 'code-1' as never });
    assert.ok(doc?.expiresAt instanceof Date, 'expiresAt is stored');
    await codes.consume('code-1');
    assert.equal(typeof (await codes.find('code-1'))?.consumed, 'number');
    await codes.destroy('code-1');
    assert.equal(await codes.find('code-1'), undefined);
    const indexes = (await raw.db(dbName).collection('tenant-a_authorization_code').listIndexes().toArray()).map((i) => i.name);
    assert.ok(indexes.includes('payload.grantId_1'), `indexes: ${indexes.join(', ')}`);
  });

  it('treats an expired entry as missing (no TTL index on FerretDB: expiry is in the query)', async () => {
    const codes = new Codes('AuthorizationCode');
    await codes.upsert('code-old', payload('g2'), 60);
    await raw
      .db(dbName)
      .collection('tenant-a_authorization_code')
      .updateOne({ _id: 'code-old' as never }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal(await codes.find('code-old'), undefined);
  });

  it('keeps tenants apart and revokes by grant', async () => {
    const a = new Codes('RefreshToken');
    const b = new (mongoAdapterFor('tenant-b'))('RefreshToken');
    await a.upsert('rt-1', payload('g3'), 60);
    await a.upsert('rt-2', payload('g3'), 60);
    assert.equal(await b.find('rt-1'), undefined, 'another tenant does not see the entry');
    await a.revokeByGrantId('g3');
    assert.equal(await a.find('rt-1'), undefined);
    assert.equal(await a.find('rt-2'), undefined);
  });

  it('writes the upserts of batchedWrites in bulk, as the same documents', async () => {
    const codes = new Codes('AuthorizationCode');
    const ids = await batchedWrites(async () => {
      for (const id of ['b1', 'b2', 'b3']) await codes.upsert(id, payload('g4'), 60);
      assert.equal(await codes.find('b1'), undefined, 'nothing is written before the batch ends');
      return ['b1', 'b2', 'b3'];
    });
    for (const id of ids) assert.equal((await codes.find(id))?.grantId, 'g4');
  });
});

describe('bench: the report’s targets', () => {
  const m = (rps: number) => ({ rps, p50: 1, p99: 2, errors: 0, requests: rps, seconds: 1 });
  const rows: Row[] = [
    { id: 'discovery', label: 'discovery', targets: { memory: 1.5 }, gatehouse: m(300), reference: m(100), referenceDatabase: m(100) },
    {
      id: 'client-credentials-es256',
      label: 'client_credentials ES256',
      signs: 'ES256',
      targets: { memory: 1.0, database: 1.5, signing: 0.8 },
      gatehouse: m(700),
      reference: m(800),
      referenceDatabase: m(400),
    },
    {
      id: 'introspection-jwt',
      label: 'introspection JWT',
      targets: { memory: 1.5 },
      gatehouse: m(500),
      reference: { unavailable: 'Structured JWT Tokens cannot be introspected', kind: 'missing' },
    },
    { id: 'par', label: 'PAR', targets: {}, gatehouse: m(200), reference: m(400), referenceDatabase: m(100) },
  ];
  const result = {
    startedAt: '2026-12-05T15:00:00.000Z',
    seconds: 60,
    smoke: false,
    durationPerScenario: 10,
    connections: 10,
    workers: 2,
    logLevel: 'warn',
    machine: { cpu: 'test', cores: 2, memoryGiB: 1, node: 'v24', os: 'Linux', oidcProvider: '9', autocannon: '8' },
    signing: { RS256: 1000, ES256: 1000, seconds: 1 },
    rows,
    scale: [],
    notes: [],
  } satisfies BenchResult;

  it('judges each target against its own reference and the raw signing rate', () => {
    const [discovery, es256, jwt, par] = rows as [Row, Row, Row, Row];
    assert.equal(targetMet(discovery, result.signing), '✓');
    const v = verdicts(es256, result.signing);
    assert.deepEqual(
      v.map((x) => [x.what, x.met]),
      [
        ['in memory', false],
        ['same database', true],
        ['signing', false],
      ],
    );
    assert.equal(targetMet(es256, result.signing), '✗ (in memory, signing)');
    assert.deepEqual(
      verdicts(jwt, result.signing).map((x) => x.met),
      [undefined],
      'a scenario the reference does not support has no verdict',
    );
    assert.equal(targetMet(jwt, result.signing), '–');
    assert.equal(targetMet(par, result.signing), '–', 'PAR has no target');
  });

  it('shows both reference columns, and the README table has one line per scenario', () => {
    const table = markdownTable(result);
    assert.match(table, /oidc-provider same database req\/s/);
    assert.match(table, /0\.88× ✗ \(≥ 1\.0\)/);
    assert.match(table, /1\.75× ✓ \(≥ 1\.5\)/);
    const readme = readmeTable(result, 'test machine');
    assert.match(readme, /Machine: test machine\./);
    assert.equal(readme.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| scenario')).length, rows.length);
    assert.match(
      readme,
      /\| introspection JWT \| 500 \| not supported \| – \(≥ 1\.5\)|\| introspection JWT \| 500 \| not supported \| – \|/,
    );
  });
});
