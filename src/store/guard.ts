/**
 * A time budget and circuit breaker for every database operation (docs/operations.md,
 * "Database unreachable or frozen").
 *
 * Why not only driver timeouts: the mongodb driver 7 has no whole-operation timeout
 * (`timeoutMS` is deprecated there and has no effect), and its pieces add up — server
 * selection, opening a connection through a frozen server, the socket read, and a
 * retryable read or write doing all of it twice — measured at 4.6 s and up to 60 s on a
 * frozen (SIGSTOPped) server. So the store races each operation against one deadline:
 *
 *  - an operation that does not settle within `timeoutMs` fails with StoreUnavailableError
 *    (the caller answers 503) and opens the breaker at once, so the next operation of the
 *    same request does not wait a second budget; a ping is sent at once too, and if it
 *    answers (a slow query on a healthy database) the breaker closes again after that
 *    one round trip.
 *  - a connection-level error (refused, closed, no server selectable) opens it at once.
 *  - while open, every operation fails at once (no request queues behind a dead database)
 *    and a ping every `probeIntervalMs` looks for recovery; the first one that answers
 *    closes it. Recovery needs no restart.
 *  - if those pings keep failing for `reconnectAfterMs`, `reconnect()` (store/reconnect.ts)
 *    is tried as well, at most once per `reconnectAfterMs`: it checks with a fresh client
 *    whether the database answers and, if so, rebuilds the connection. The driver's
 *    server monitor can stay stuck after a freeze followed by a restart; the existing
 *    connection then never finds the database again.
 *
 * An operation that timed out may still be carried out by the database when it returns
 * (it was sent); callers already treat a 503 as "unknown outcome, retry".
 */
import type { Connection } from 'mongoose';
import { isDriverFailure, isStoreUnavailable, StoreUnavailableError } from './errors.js';

export interface StoreGuardOptions {
  timeoutMs: number;
  probeIntervalMs: number;
  /** Called when the breaker opens (`down`) or closes (`up`). */
  onChange?: (state: 'down' | 'up', reason: string) => void;
  /** Rebuilds the connection if the database answers a fresh client; resolves true if it did. */
  reconnect?: () => Promise<boolean>;
  /** How long pings must have failed before `reconnect` is tried (and between tries). */
  reconnectAfterMs?: number;
}

export class StoreGuard {
  private down = false;
  private probing = false;
  private closed = false;
  /** A reconnect in progress (close() waits for it, so no connection is opened after close). */
  private reconnecting: Promise<boolean> | undefined;

  constructor(
    private readonly conn: Connection,
    readonly options: StoreGuardOptions,
  ) {}

  /** Whether the database is currently known to be unreachable. */
  get isDown(): boolean {
    return this.down;
  }

  /** Runs one database operation within the budget. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.down) throw new StoreUnavailableError('the database is unreachable');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    let pending: Promise<T>;
    try {
      // A driver call can throw before it returns a promise (mongoose's collection wrappers
      // do): that is classified like a rejection, and the deadline's timer is cleared below.
      pending = op();
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on exactly as thrown
      pending = Promise.reject(err);
    }
    try {
      return await Promise.race([pending, deadline]);
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        pending.catch(() => undefined); // it may still fail later; nobody waits for it
        this.open(err.reason, true);
        throw err;
      }
      if (isStoreUnavailable(err)) {
        this.open(errorName(err));
        throw new StoreUnavailableError(errorName(err));
      }
      // Sent before the breaker opened, failed after: while the database is known to be away, a
      // failure of the driver itself (not an answer of the server) is the outage in another form.
      if (this.down && isDriverFailure(err)) throw new StoreUnavailableError(errorName(err));
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops probing (the store is closing); resolves once no reconnect is in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await this.reconnecting?.catch(() => undefined);
  }

  /** Opens the breaker; `probeNow` pings at once (a timeout may have been one slow query). */
  private open(reason: string, probeNow = false): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.options.onChange?.('down', reason);
    void this.probeUntilUp(probeNow);
  }

  private async probeUntilUp(probeNow: boolean): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    const { reconnect, reconnectAfterMs = Infinity } = this.options;
    let lastTry = Date.now();
    let rebuilt = false;
    try {
      for (let first = true; this.down && !this.closed; first = false) {
        if (!(first && probeNow)) await sleep(this.options.probeIntervalMs);
        try {
          await this.ping();
          this.down = false;
          this.options.onChange?.('up', rebuilt ? 'a ping answered on the rebuilt connection' : 'a ping answered');
        } catch {
          // Still down on this connection; maybe only this connection (see the header).
          if (reconnect && !this.closed && Date.now() - lastTry >= reconnectAfterMs) {
            this.reconnecting = reconnect().catch(() => false);
            rebuilt = (await this.reconnecting) || rebuilt;
            this.reconnecting = undefined;
            lastTry = Date.now();
          }
        }
      }
    } finally {
      this.probing = false;
    }
  }

  private async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ping = this.conn.db!.command({ ping: 1 });
    ping.catch(() => undefined);
    try {
      await Promise.race([
        ping,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StoreUnavailableError('ping timed out')), this.options.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorName(err: unknown): string {
  return (err as { name?: string }).name ?? 'database error';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
