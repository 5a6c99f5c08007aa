import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';

/** A unique index refused the write: the caller maps it to CONFLICT / invalid_request. */
export class DuplicateKeyError extends Error {
  constructor(readonly collection: string) {
    super(`duplicate key in ${collection}`);
    this.name = 'DuplicateKeyError';
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Whether a write failed only on duplicate keys (an unordered insertMany reports each
 * refused document): a replayed write of records that are already there.
 */
export function onlyDuplicates(err: unknown): boolean {
  if (isDuplicateKey(err)) return true;
  const writeErrors = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((e: { code?: unknown; err?: { code?: unknown } }) => e.code === 11000 || e.err?.code === 11000);
}

export async function mapDuplicate<T>(collection: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isDuplicateKey(err)) throw new DuplicateKeyError(collection);
    throw err;
  }
}

/**
 * The database could not be reached or did not answer within the store's time budget.
 * Surfaces map it to 503 (`temporarily_unavailable`, GraphQL `SERVICE_UNAVAILABLE`);
 * see docs/operations.md.
 */
export class StoreUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`database unavailable: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * By name as well as by class: the driver's pool errors (PoolClearedOnNetworkError, raised in
 * every operation in flight when a killed server's pool is cleared) are not exported, and a
 * second copy of the driver in node_modules would fail `instanceof`.
 */
const unavailableNames = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoPoolClosedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongooseServerSelectionError',
]);

/**
 * Server answers that mean "not now" rather than "not this": shutting down, stepping down,
 * no writable primary, the server's own network trouble, our maxTimeMS budget spent. The
 * driver treats the same codes as retryable.
 */
const unavailableCodes = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Labels the driver puts on errors that a retry on a healthy connection would fix. */
const unavailableLabels = ['ResetPool', 'PoolRequestedRetry', 'RetryableWriteError', 'RetryableError', 'SystemOverloadedError'];

/** Whether an error means "the database is away or too slow" rather than "the request is wrong". */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError || err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; codeName?: unknown; errorLabels?: unknown };
  if (typeof e.name === 'string' && unavailableNames.has(e.name)) return true;
  if (typeof e.code === 'number' && unavailableCodes.has(e.code)) return true;
  if (e.codeName === 'MaxTimeMSExpired') return true;
  return Array.isArray(e.errorLabels) && unavailableLabels.some((label) => (e.errorLabels as unknown[]).includes(label));
}

/**
 * A failure raised by the driver (or mongoose around it) rather than answered by the server:
 * server answers carry a numeric code (a duplicate key stays a duplicate key). The guard
 * counts these as the outage only while its breaker is open (store/guard.ts).
 */
export function isDriverFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  return typeof e.name === 'string' && /^Mongo|^PoolCleared/.test(e.name) && typeof e.code !== 'number';
}
