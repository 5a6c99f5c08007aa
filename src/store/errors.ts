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

const unavailableNames = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongooseServerSelectionError',
]);

/** Whether an error means "the database is away or too slow" rather than "the request is wrong". */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; codeName?: unknown };
  if (typeof e.name === 'string' && unavailableNames.has(e.name)) return true;
  // 50 MaxTimeMSExpired: the server gave up within our maxTimeMS budget.
  return e.code === 50 || e.codeName === 'MaxTimeMSExpired';
}
