import type { Logger } from 'pino';
import { isStoreUnavailable } from '../store/errors.js';

export interface WaitOptions {
  /** Give up after this many seconds; 0 = never (GATEHOUSE_DB_START_TIMEOUT_SECONDS). */
  boundSeconds: number;
  log: Logger;
  /** First retry delay; doubles up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** The database stayed unreachable for the whole start bound. */
export class DatabaseStartTimeoutError extends Error {
  override name = 'DatabaseStartTimeoutError';
}

/**
 * Runs `attempt` (connect and bootstrap) until it succeeds, retrying with backoff while
 * the database is unreachable, with one warning line per retry (at most every 5 s once
 * backed off). Other errors (a bad URI, bad data) end the start at once.
 */
export async function withDatabaseRetry<T>(attempt: () => Promise<T>, o: WaitOptions): Promise<T> {
  const started = Date.now();
  const maxDelay = o.maxDelayMs ?? 5_000;
  let delay = o.firstDelayMs ?? 250;
  for (let n = 1; ; n++) {
    try {
      const result = await attempt();
      if (n > 1) o.log.info({ attempts: n, waitedSeconds: Math.round((Date.now() - started) / 1000) }, 'database reachable: starting');
      return result;
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      const waited = (Date.now() - started) / 1000;
      if (o.boundSeconds > 0 && waited + delay / 1000 > o.boundSeconds) {
        throw new DatabaseStartTimeoutError(
          `the database stayed unreachable for ${Math.round(waited)} s (GATEHOUSE_DB_START_TIMEOUT_SECONDS=${o.boundSeconds}): ${(err as Error).message}`,
        );
      }
      o.log.warn(
        { attempt: n, waitedSeconds: Math.round(waited), retryInMs: delay, reason: (err as Error).message },
        `database unreachable at start; retrying (liveness 200, readiness 503 meanwhile)${o.boundSeconds > 0 ? `, giving up after ${o.boundSeconds} s` : ''}`,
      );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
