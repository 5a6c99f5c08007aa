/**
 * Rebuilding a store connection whose driver has stopped looking for the database.
 *
 * Why: after the database was frozen (SIGSTOP), thawed and then killed and restarted, the
 * mongodb driver's server monitor of the existing client stopped checking the server
 * (no heartbeat, succeeded or failed, ever again), so server selection failed for as long
 * as we waited (> 90 s) while a new client on the same URI connected at once. The guard
 * (store/guard.ts) calls `reconnect()` when its pings on the existing connection have
 * failed for a while; it checks with a short-lived client of its own whether the
 * database answers and only then closes the mongoose connection and opens it again on
 * the same URI and options. Models stay bound to the same Connection object (mongoose
 * re-binds their collections on open), so nothing above the store notices.
 */
import mongoose, { type Connection, type ConnectOptions } from 'mongoose';

export interface Reopenable {
  conn: Connection;
  uri: string;
  options: ConnectOptions;
  timeoutMs: number;
  /** Called with the new driver client (to re-attach listeners). */
  onClient?: (client: ReturnType<Connection['getClient']>) => void;
}

/** Whether a fresh client reaches the database and gets an answer to a ping. */
export async function answersToFreshClient(uri: string, timeoutMs: number): Promise<boolean> {
  const client = new mongoose.mongo.MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs * 2,
    maxPoolSize: 1,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close(true).catch(() => undefined);
  }
}

/**
 * If a fresh client reaches the database, closes the connection's (stuck) driver client
 * and opens the connection again. Resolves true when the connection was rebuilt.
 */
export async function reconnectIfReachable(target: Reopenable): Promise<boolean> {
  if (!(await answersToFreshClient(target.uri, target.timeoutMs))) return false;
  const { conn } = target;
  // Not a forced close: mongoose refuses every later operation on a force-closed
  // connection, even after it is opened again. The guard already fails every operation
  // while down, so there is nothing to wait for; the bound is for a client that hangs.
  const closed = await Promise.race([
    conn.close().then(
      () => true,
      () => true,
    ),
    new Promise<false>((r) => setTimeout(() => r(false), target.timeoutMs * 2).unref()),
  ]);
  if (!closed) return false;
  try {
    await conn.openUri(target.uri, { ...target.options });
  } catch {
    return false;
  }
  target.onClient?.(conn.getClient());
  return true;
}
