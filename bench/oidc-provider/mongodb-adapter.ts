import { AsyncLocalStorage } from 'node:async_hooks';
import { MongoClient, type Collection, type Db } from 'mongodb';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';

/**
 * The same-database reference's adapter: oidc-provider's storage on the bench's own
 * FerretDB, through the same serializing proxy as Gatehouse (docs/benchmarks.md, "The two
 * reference columns"). Written after the pattern of oidc-provider's documented example
 * MongoDB adapter (example/adapters/mongodb.js in panva/node-oidc-provider):
 *  - one collection per model (snake_case), documents `{ _id, payload, expiresAt }`;
 *  - upsert by `_id`, find by `_id`, consume with one findOneAndUpdate setting
 *    `payload.consumed`, destroy one deleteOne, revokeByGrantId one deleteMany on
 *    `payload.grantId`, findByUid / findByUserCode on `payload.uid` / `payload.userCode`;
 *  - the example's indexes: `payload.grantId` on the grantable models, `payload.uid`
 *    unique on sessions, `payload.userCode` unique on device codes.
 *
 * Where FerretDB 1.24 differs, as Gatehouse does (docs/databases.md):
 *  - no TTL indexes ("expireAfterSeconds is not implemented"): expiry is enforced in the
 *    query instead. Every document carries `expiresAt` (the far future for a model without
 *    one) and reads ask for `expiresAt > now`, so an expired entry is missing. Nothing
 *    sweeps during a run; the bench drops the whole database at the end.
 *  - one Provider per tenant in one process: each tenant gets its own collections
 *    (`<slug>_<model>`), so no query can see another tenant's entries.
 *
 * Codes and userinfo tokens made beforehand (the `/__bench/seed` route) are written with
 * one insertMany per collection instead of an upsert each: see `batchedWrites`.
 */

let db: Db | undefined;
let client: MongoClient | undefined;

/** Connects once, before any Provider handles a request (the example's `connect()`). */
export async function connectMongo(uri: string, name: string): Promise<void> {
  // ignoreUndefined: payload fields oidc-provider leaves undefined stay absent, as in memory.
  client = new MongoClient(uri, { ignoreUndefined: true, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  db = client.db(name);
}

export async function closeMongo(): Promise<void> {
  await client?.close();
}

interface Doc {
  _id: string;
  payload: AdapterPayload;
  expiresAt: Date;
}

/** The latest date a JavaScript Date can hold: "does not expire". */
const NEVER = new Date(8.64e15);
const GRANTABLE = new Set(['access_token', 'authorization_code', 'refresh_token', 'device_code', 'backchannel_authentication_request']);

const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** One index creation per collection, awaited by the first write (the example creates them on first use too). */
const indexed = new Map<string, Promise<void>>();
function ensureIndexes(coll: Collection<Doc>, model: string): Promise<void> {
  let done = indexed.get(coll.collectionName);
  if (!done) {
    const specs = [
      ...(GRANTABLE.has(model) ? [{ key: { 'payload.grantId': 1 } }] : []),
      ...(model === 'device_code' ? [{ key: { 'payload.userCode': 1 }, unique: true }] : []),
      ...(model === 'session' ? [{ key: { 'payload.uid': 1 }, unique: true }] : []),
      // The example's `{ expiresAt: 1 }, expireAfterSeconds: 0` is a TTL index: FerretDB 1.24 refuses it.
    ];
    done = specs.length ? coll.createIndexes(specs as never).then(() => undefined) : Promise.resolve();
    indexed.set(coll.collectionName, done);
  }
  return done;
}

/** While set (inside `batchedWrites`), upserts are collected here instead of written one by one. */
const pendingWrites = new AsyncLocalStorage<{ coll: Collection<Doc>; model: string; doc: Doc }[]>();

/**
 * Runs `fn` (which saves models) and writes every upsert it made with one insertMany per
 * collection: the same documents an upsert of a new id writes, in a fraction of the
 * time. Only for inputs made beforehand (BENCHMARK SHORTCUT, like Gatehouse's seeding):
 * the measured requests always go through the adapter one operation at a time.
 */
export async function batchedWrites<T>(fn: () => Promise<T>): Promise<T> {
  const pending: { coll: Collection<Doc>; model: string; doc: Doc }[] = [];
  const out = await pendingWrites.run(pending, fn);
  const byCollection = new Map<Collection<Doc>, { model: string; docs: Doc[] }>();
  for (const p of pending) {
    const entry = byCollection.get(p.coll) ?? { model: p.model, docs: [] };
    entry.docs.push(p.doc);
    byCollection.set(p.coll, entry);
  }
  for (const [coll, { model, docs }] of byCollection) {
    await ensureIndexes(coll, model);
    await coll.insertMany(docs, { ordered: false });
  }
  return out;
}

class MongoAdapter implements Adapter {
  private readonly model: string;
  private readonly coll: Collection<Doc>;

  constructor(prefix: string, name: string) {
    if (!db) throw new Error('mongodb-adapter: connectMongo() first');
    this.model = snakeCase(name);
    this.coll = db.collection<Doc>(`${prefix}_${this.model}`);
  }

  /** A payload by a query, if its entry has not expired. */
  private async findOne(filter: Record<string, unknown>): Promise<AdapterPayload | undefined> {
    const found = await this.coll.findOne({ ...filter, expiresAt: { $gt: new Date() } }, { projection: { payload: 1 } });
    return found?.payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : NEVER;
    const pending = pendingWrites.getStore();
    if (pending) {
      pending.push({ coll: this.coll, model: this.model, doc: { _id: id, payload, expiresAt } });
      return;
    }
    await ensureIndexes(this.coll, this.model);
    await this.coll.updateOne({ _id: id }, { $set: { payload, expiresAt } }, { upsert: true });
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findOne({ _id: id });
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findOne({ 'payload.uid': uid });
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findOne({ 'payload.userCode': userCode });
  }

  async consume(id: string): Promise<void> {
    await this.coll.findOneAndUpdate({ _id: id }, { $set: { 'payload.consumed': Math.floor(Date.now() / 1000) } });
  }

  async destroy(id: string): Promise<void> {
    await this.coll.deleteOne({ _id: id });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.coll.deleteMany({ 'payload.grantId': grantId });
  }
}

/** The adapter class for one tenant's Provider: its own collections, `<slug>_<model>`. */
export function mongoAdapterFor(slug: string): AdapterConstructor {
  return class TenantMongoAdapter extends MongoAdapter {
    constructor(name: string) {
      super(slug, name);
    }
  };
}
