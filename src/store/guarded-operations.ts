/**
 * Puts every database operation of a guarded connection under its StoreGuard
 * (store/guard.ts).
 *
 * The store's repositories use mongoose queries, aggregations and, for plain inserts,
 * the model's collection directly. Those are the three funnels every operation passes
 * through, so they are wrapped once per process here instead of at each of the ~200
 * call sites (which would be easy to forget in the next repository). Connections
 * without a guard (scripts, the development database launcher) are untouched. A query
 * runs its collection call inside its own guard; the nested guard only repeats the
 * same deadline.
 */
import mongoose, { type Connection } from 'mongoose';
import type { StoreGuard } from './guard.js';

const guards = new WeakMap<Connection, StoreGuard>();
let installed = false;

/** Collection methods that return a promise (the cursor-returning find/aggregate run inside Query/Aggregate.exec). */
const COLLECTION_METHODS = [
  'insertOne',
  'insertMany',
  'bulkWrite',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'countDocuments',
  'estimatedDocumentCount',
  'distinct',
] as const;

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

export function guardConnection(conn: Connection, guard: StoreGuard): void {
  install();
  guards.set(conn, guard);
}

function install(): void {
  if (installed) return;
  installed = true;
  wrap(mongoose.Query.prototype as unknown as Record<string, AnyFn>, 'exec', (self) => (self as { model?: { db?: Connection } }).model?.db);
  wrap(
    mongoose.Aggregate.prototype as unknown as Record<string, AnyFn>,
    'exec',
    (self) => (self as { _model?: { db?: Connection } })._model?.db,
  );
  const collectionProto = (mongoose as unknown as { Collection: { prototype: Record<string, AnyFn> } }).Collection.prototype;
  for (const method of COLLECTION_METHODS) wrap(collectionProto, method, (self) => (self as { conn?: Connection }).conn);
}

function wrap(proto: Record<string, AnyFn>, method: string, connectionOf: (self: unknown) => Connection | undefined): void {
  const original = proto[method];
  if (typeof original !== 'function') throw new Error(`store guard: mongoose has no ${method} to guard`);
  proto[method] = function guarded(this: unknown, ...args: unknown[]) {
    const conn = connectionOf(this);
    const guard = conn ? guards.get(conn) : undefined;
    if (!guard) return original.apply(this, args);
    return guard.run(() => Promise.resolve(original.apply(this, args)));
  };
}
