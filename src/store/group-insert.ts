import type { Collection } from 'mongoose';
import { isDuplicateKey } from './errors.js';

/*
 * Group commit for single-use inserts (docs/performance.md "Code exchange and refresh").
 * Spending a refresh token is an insert whose unique `_id` makes it single use; under load
 * many requests spend at once, and each insert is a round trip that costs the process a
 * socket write and a reply to parse, and the database a statement. An insert arriving
 * while one is in flight waits for it and goes with the others that arrived meanwhile, in
 * one unordered insertMany: every document is still inserted or refused on its own (a
 * duplicate `_id` refuses only that one), so the single-use answer per document is exactly
 * what a lone insertOne would have given. When the collection is idle, the first insert goes
 * at the end of the current turn of the event loop, with the inserts that arrived in the
 * same turn: a lone request never waits for a timer.
 *
 * Under concurrent load the next group waits GATHER_MS for more documents before it goes.
 * Each insert costs the process a command (the driver's session, monitoring, BSON, a socket
 * write and a reply) and the development database a statement with a fixed cost: measured on
 * FerretDB 1.24 about 0.35 ms per command plus 0.18 ms per document, so a group of 2 costs
 * 0.37 ms per document and a group of 8 0.19 ms. Without the wait, the code exchange and
 * refresh rows made groups of 2.4 on average at 10 connections; the wait makes them larger
 * at the price of a few ms of latency on those requests only (docs/performance.md
 * "Code exchange and refresh").
 */

/** Documents per insertMany. */
const MAX_GROUP = 100;

/**
 * How long a group waits for more documents when the one before it was concurrent (more
 * than one document): well under a token request's latency under such load (~30 ms at 10
 * connections on the bench machine), and never paid by a request that comes alone.
 */
export const GATHER_MS = 4;

interface Waiting {
  doc: Record<string, unknown>;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

class GroupInsert {
  private queue: Waiting[] = [];
  private writing = false;
  /** Size of the last group written: more than one means inserts are arriving concurrently. */
  private lastGroup = 0;

  constructor(private readonly collection: Collection) {}

  insert(doc: Record<string, unknown>): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      if (!this.writing) {
        // The first insert waits for the end of this turn of the event loop, no timer: the
        // requests whose bodies arrived with it reach their insert in the same turn and go
        // in the same insertMany, instead of the first one going alone.
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Concurrent load: let the inserts on their way join this group (see GATHER_MS).
        if (this.lastGroup > 1 && this.queue.length < MAX_GROUP) await gather();
        const group = this.queue.splice(0, MAX_GROUP);
        this.lastGroup = group.length;
        await this.write(group);
      }
    } finally {
      this.writing = false;
      // Idle again: the next insert may be a lone one, and goes without waiting.
      this.lastGroup = 0;
    }
  }

  private async write(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [one] = group as [Waiting];
      try {
        await this.collection.insertOne(one.doc as never);
        one.resolve(true);
      } catch (err) {
        if (isDuplicateKey(err)) one.resolve(false);
        else one.reject(err);
      }
      return;
    }
    try {
      await this.collection.insertMany(
        group.map((w) => w.doc as never),
        { ordered: false },
      );
      for (const w of group) w.resolve(true);
    } catch (err) {
      const failed = writeErrorsByIndex(err);
      // Not a per-document answer (the database is away, the time budget ran out): nobody knows.
      if (!failed) for (const w of group) w.reject(err);
      else
        group.forEach((w, i) => {
          const e = failed.get(i);
          if (e === undefined) w.resolve(true);
          else if (isDuplicateKey(e)) w.resolve(false);
          else w.reject(err);
        });
    }
  }
}

const gather = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, GATHER_MS));

/** The per-document errors of an unordered insertMany, by the document's index; null if the error is not one. */
function writeErrorsByIndex(err: unknown): Map<number, unknown> | null {
  const list = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const errors = Array.isArray(list) ? list : list ? [list] : [];
  if (errors.length === 0) return null;
  const out = new Map<number, unknown>();
  for (const e of errors as { index?: unknown; code?: unknown; err?: { code?: unknown } }[]) {
    if (typeof e.index !== 'number') return null;
    out.set(e.index, { code: e.code ?? e.err?.code });
  }
  return out;
}

const groups = new WeakMap<Collection, GroupInsert>();

/**
 * Inserts `doc` into `collection`, grouped with concurrent inserts into the same
 * collection; true if it was inserted, false if its `_id` (or another unique key) was taken.
 */
export function insertOnce(collection: Collection, doc: Record<string, unknown>): Promise<boolean> {
  let g = groups.get(collection);
  if (!g) groups.set(collection, (g = new GroupInsert(collection)));
  return g.insert(doc);
}
