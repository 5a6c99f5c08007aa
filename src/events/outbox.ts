import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { isStoreUnavailable } from '../store/errors.js';
import { liveOutboxes, outboxDropped, outboxReplayed } from './outbox-metrics.js';

/**
 * A bounded, durable outbox for records that must reach the database even when it
 * blinks: tenant events and admin audit records (docs/operations.md, "Events, audit and
 * deliveries under faults").
 *
 * Every record is first appended to this process's journal — a JSON-lines file in
 * `<GATEHOUSE_DATA_DIR>/outbox/`, one append and one fdatasync per batch — and then
 * written. A written record gets an `ack` line (not synced: losing it only means the
 * record is written again, and every writer is idempotent by `_id`). Records the database
 * refused stay in memory and in the journal and are retried with back-off until it
 * answers. A process that starts replays the journals of processes that are gone (for the
 * same database), so a crash or kill -9 loses nothing that was accepted.
 *
 * The bound: at most `maxPending` records wait; past it new records are dropped, counted
 * (gatehouse_outbox_dropped_total) and logged at ERROR.
 */
export type OutboxKind = 'event' | 'audit';

export interface OutboxItem {
  kind: OutboxKind;
  /** The record's `_id`: writing it twice must be harmless. */
  id: string;
  /** The JSON-able record (Dates become strings in the journal; writers revive them). */
  body: Record<string, unknown>;
  /** In-process extras for the writer (never journaled, absent after a replay). */
  local?: unknown;
  /** Called once the record is in the database (first attempt or a later retry). */
  onWritten?: () => void;
  /** Called if the record is dropped (outbox full, or refused for good). */
  onDropped?: () => void;
}

/** Writes records of one kind; idempotent; throws when the database did not take them. */
export type OutboxWriter = (items: OutboxItem[]) => Promise<void>;

export interface OutboxOptions {
  /** Journal folder (`<dataDir>/outbox`); null keeps records in memory only. */
  dir: string | null;
  /** The database the records belong to: journals of another database are never replayed here. */
  database: string;
  maxPending: number;
  /** One write attempt may take this long before it counts as failed (the records stay queued). */
  writeTimeoutMs: number;
  log: Logger;
}

interface Pending {
  item: OutboxItem;
  failures: number;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
/** A record the database refuses for another reason than being away is given up after this many tries. */
const MAX_REJECTIONS = 20;
const WRITE_CHUNK = 500;
/** The journal is emptied when nothing is pending and it has grown past this. */
const COMPACT_BYTES = 1 << 20;

/** Journals opened by this process (a file of our own pid that is not here is a previous life's, e.g. pid 1 in a container). */
const openJournals = new Set<string>();

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

export class Outbox {
  private readonly writers = new Map<OutboxKind, OutboxWriter>();
  private readonly pending = new Map<string, Pending>();
  private journal: FileHandle | null = null;
  private journalName: string | null = null;
  private journalBytes = 0;
  private opening: Promise<void> | null = null;
  /** Journal operations run one after another (appends, syncs, compaction). */
  private chain: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private draining: Promise<void> | null = null;
  private stopped = false;
  private lastDropLog = 0;
  private readonly reporter = { pendingByKind: () => this.pendingByKind() };

  constructor(private readonly opts: OutboxOptions) {
    liveOutboxes.add(this.reporter);
  }

  register(kind: OutboxKind, writer: OutboxWriter): void {
    this.writers.set(kind, writer);
  }

  get size(): number {
    return this.pending.size;
  }

  pendingByKind(): Map<string, number> {
    const m = new Map<string, number>();
    for (const p of this.pending.values()) m.set(p.item.kind, (m.get(p.item.kind) ?? 0) + 1);
    return m;
  }

  /**
   * Opens this process's journal and takes over the journals of stopped processes of the
   * same database: their unwritten records are queued here (journaled anew first, then
   * their files removed). Records are written from the retry loop, so the caller does
   * not wait for the database.
   */
  open(): Promise<void> {
    return (this.opening ??= this.openJournal());
  }

  private async openJournal(): Promise<void> {
    if (!this.opts.dir) return;
    try {
      await mkdir(this.opts.dir, { recursive: true });
      const prefix = `outbox-${safeName(this.opts.database)}-`;
      this.journalName = `${prefix}${process.pid}-${randomBytes(4).toString('hex')}.jsonl`;
      openJournals.add(this.journalName);
      this.journal = await open(join(this.opts.dir, this.journalName), 'a');
      const orphans = (await readdir(this.opts.dir)).filter(
        (f) =>
          f.startsWith(prefix) && f.endsWith('.jsonl') && !openJournals.has(f) && !pidAlive(Number(f.slice(prefix.length).split('-')[0])),
      );
      for (const f of orphans) await this.adopt(join(this.opts.dir, f));
    } catch (err) {
      this.opts.log.error({ err, dir: this.opts.dir }, 'outbox journal unavailable: events and audit records are kept in memory only');
      await this.journal?.close().catch(() => undefined);
      this.journal = null;
    }
    if (this.pending.size) this.scheduleRetry(0);
  }

  private async adopt(file: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return; // another process took it first
    }
    const found = new Map<string, OutboxItem>();
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: { put?: { kind: OutboxKind; id: string; body: Record<string, unknown> }; ack?: string[] };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a torn last line of a crashed process
      }
      if (entry.put) found.set(entry.put.id, { kind: entry.put.kind, id: entry.put.id, body: entry.put.body });
      for (const id of entry.ack ?? []) found.delete(id);
    }
    const items = [...found.values()].filter((i) => !this.pending.has(i.id));
    if (items.length) {
      await this.append(
        items.map((i) => ({ put: { kind: i.kind, id: i.id, body: i.body } })),
        true,
      );
      for (const i of items) {
        this.pending.set(i.id, { item: i, failures: 0 });
        outboxReplayed.inc({ kind: i.kind });
      }
      this.opts.log.warn({ file, records: items.length }, 'outbox: replaying records a stopped process had not written');
    }
    await unlink(file).catch(() => undefined);
  }

  /**
   * Accepts records: journals them (durable once this resolves), then tries to write
   * them once. Resolves to what became of them: written now, queued for a retry, or
   * (some) dropped because the outbox is full. Never throws.
   */
  async submit(items: OutboxItem[]): Promise<'written' | 'queued' | 'dropped'> {
    if (this.opening) await this.opening;
    if (this.stopped) this.opts.log.warn({ records: items.length }, 'outbox: records submitted after stop are written without a journal');
    const room = Math.max(0, this.opts.maxPending - this.pending.size);
    const accepted = items.slice(0, room);
    const dropped = items.slice(room);
    if (dropped.length) this.drop(dropped, 'full');
    if (!accepted.length) return 'dropped';
    for (const item of accepted) this.pending.set(item.id, { item, failures: 0 });
    await this.append(
      accepted.map((i) => ({ put: { kind: i.kind, id: i.id, body: i.body } })),
      true,
    );
    // While a retry is waiting, newer records wait behind it (the database is away).
    if (this.retryTimer || this.draining) {
      this.scheduleRetry(this.retryDelay);
      return dropped.length ? 'dropped' : 'queued';
    }
    const ok = await this.writeNow(accepted);
    if (!ok) this.scheduleRetry(this.retryDelay);
    return dropped.length ? 'dropped' : ok ? 'written' : 'queued';
  }

  private drop(items: OutboxItem[], reason: 'full' | 'rejected'): void {
    for (const i of items) {
      outboxDropped.inc({ kind: i.kind, reason });
      i.onDropped?.();
    }
    // ERROR, but at most once a second: a full outbox under load would flood the log.
    const now = Date.now();
    if (now - this.lastDropLog > 1_000) {
      this.lastDropLog = now;
      this.opts.log.error(
        {
          records: items.length,
          kinds: [...new Set(items.map((i) => i.kind))],
          reason,
          pending: this.pending.size,
          maxPending: this.opts.maxPending,
        },
        reason === 'full'
          ? 'OUTBOX FULL: events or audit records dropped (the database has been away too long; see GATEHOUSE_OUTBOX_MAX_PENDING)'
          : 'OUTBOX: records the database keeps refusing were dropped',
      );
    }
  }

  /** One attempt for the given pending records; true when all were written. */
  private async writeNow(items: OutboxItem[]): Promise<boolean> {
    const byKind = new Map<OutboxKind, OutboxItem[]>();
    for (const i of items) {
      const group = byKind.get(i.kind);
      if (group) group.push(i);
      else byKind.set(i.kind, [i]);
    }
    let allOk = true;
    for (const [kind, group] of byKind) {
      const writer = this.writers.get(kind);
      try {
        if (!writer) throw new Error(`no writer for ${kind}`);
        await this.withTimeout(writer(group));
        for (const i of group) this.pending.delete(i.id);
        void this.append([{ ack: group.map((i) => i.id) }], false);
        for (const i of group) i.onWritten?.();
      } catch (err) {
        allOk = false;
        const away = isStoreUnavailable(err) || (err as Error).message === 'outbox write timed out';
        const given: OutboxItem[] = [];
        for (const i of group) {
          const p = this.pending.get(i.id);
          if (!p) continue;
          if (!away && ++p.failures >= MAX_REJECTIONS) {
            this.pending.delete(i.id);
            given.push(i);
          }
        }
        if (given.length) {
          this.drop(given, 'rejected');
          void this.append([{ ack: given.map((i) => i.id) }], false);
        }
        this.opts.log.warn(
          { err, kind, records: group.length, pending: this.pending.size },
          'outbox: write failed; kept in the journal for a retry',
        );
      }
    }
    if (allOk) this.compactIfIdle();
    return allOk;
  }

  private withTimeout(p: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error('outbox write timed out')), this.opts.writeTimeoutMs);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private scheduleRetry(ms: number): void {
    if (this.stopped || this.retryTimer || this.draining) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.draining = this.drain().finally(() => {
        this.draining = null;
        if (this.pending.size) this.scheduleRetry(this.retryDelay);
      });
    }, ms);
    this.retryTimer.unref();
  }

  /** Writes what is pending, oldest first, in chunks; backs off while the database is away. */
  private async drain(): Promise<void> {
    while (this.pending.size && !this.stopped) {
      const chunk = [...this.pending.values()].slice(0, WRITE_CHUNK).map((p) => p.item);
      if (!(await this.writeNow(chunk))) {
        this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
        return;
      }
      this.retryDelay = RETRY_MIN_MS;
    }
  }

  /** Tries to write everything pending now (tests; and a hint that the database is back). */
  async flush(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.draining) await this.draining;
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
    await this.draining;
    if (this.pending.size) this.scheduleRetry(this.retryDelay);
  }

  private append(entries: unknown[], sync: boolean): Promise<void> {
    const op = this.chain.then(async () => {
      if (!this.journal) return;
      const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
      try {
        await this.journal.appendFile(text, 'utf8');
        this.journalBytes += Buffer.byteLength(text);
        if (sync) await this.journal.datasync();
      } catch (err) {
        this.opts.log.error({ err }, 'outbox: journal write failed (records are kept in memory)');
      }
    });
    this.chain = op;
    return op;
  }

  private compactIfIdle(): void {
    if (this.journalBytes < COMPACT_BYTES) return;
    this.chain = this.chain.then(async () => {
      if (!this.journal || this.pending.size) return;
      await this.journal.truncate(0).catch(() => undefined);
      this.journalBytes = 0;
    });
  }

  /**
   * Stops retrying. What is still pending stays in the journal for the next start (or
   * another process) to replay; an empty journal is removed.
   */
  async stop(): Promise<void> {
    if (this.opening) await this.opening;
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.draining) await this.draining;
    await this.chain;
    liveOutboxes.delete(this.reporter);
    if (this.journal) {
      await this.journal.close().catch(() => undefined);
      this.journal = null;
      if (!this.pending.size && this.opts.dir && this.journalName)
        await unlink(join(this.opts.dir, this.journalName)).catch(() => undefined);
      else if (this.pending.size)
        this.opts.log.warn({ records: this.pending.size }, 'outbox: unwritten records left in the journal for the next start');
    }
    if (this.journalName) openJournals.delete(this.journalName);
  }
}
