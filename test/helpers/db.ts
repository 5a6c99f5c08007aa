/**
 * The tests' (and the bench's) window into the database, beside the store rather than
 * through it: a driver client of its own on the same database, for what the store
 * deliberately does not offer (raw documents, to check what is stored encrypted or
 * hashed; counts of orphans; bulk inserts). Production code never does this; the store
 * is the only code that queries MongoDB (docs/architecture.md).
 */
import { MongoClient, type Collection, type Document } from 'mongodb';
import type { DriverClient, Store } from '../../src/store/index.js';

export interface TestDb {
  /** A collection of the database, as the driver sees it (no guard, no models). */
  collection<T extends Document = Document>(name: string): Collection<T>;
  close(): Promise<void>;
}

/** A lazily connected client on `dbName` of the server at `uri`. */
export function openTestDb(uri: string, dbName: string): TestDb {
  let client: MongoClient | undefined;
  const get = (): MongoClient => (client ??= new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 4 }));
  return {
    collection: <T extends Document>(name: string) => get().db(dbName).collection<T>(name),
    close: async () => {
      await client?.close();
      client = undefined;
    },
  };
}

export interface CommandCounter {
  /** Commands the store sent since the counter was made (across reconnects). */
  readonly count: number;
  stop(): void;
}

/** Counts the store's commands from the driver's command monitoring (tests that bound round trips). */
export function countCommands(store: Store): CommandCounter {
  let count = 0;
  const seen = new WeakSet<DriverClient>();
  const onStarted = (): void => void count++;
  const clients: DriverClient[] = [];
  const unsubscribe = store.onDriverClient((client) => {
    if (seen.has(client)) return;
    seen.add(client);
    clients.push(client);
    client.on('commandStarted', onStarted);
  });
  return {
    get count() {
      return count;
    },
    stop: () => {
      unsubscribe();
      for (const c of clients) c.off('commandStarted', onStarted);
    },
  };
}
