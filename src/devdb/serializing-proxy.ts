/**
 * A loopback proxy in front of FerretDB 1.24 that lets one conditional write through at a
 * time, across all connections; reads and inserts pass at any time. FerretDB 1.24
 * reads and then writes without a lock, so concurrent conditional updates
 * (findOneAndUpdate, updateOne with a filter) can both "win"; serialising the writes
 * restores the atomicity MongoDB guarantees and that docs/databases.md relies on.
 * Development and tests only.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface SerializingProxy {
  port: number;
  close(): Promise<void>;
}

/** MongoDB wire messages start with an int32 total length; FerretDB answers every request with one message. */
const MAX_WIRE_MESSAGE = 48 * 1024 * 1024;

export async function startSerializingProxy(backendPort: number): Promise<SerializingProxy> {
  let gate: Promise<void> = Promise.resolve();
  /** Waits for the previous request (on any connection) to be answered; returns a release function. */
  const acquire = async (): Promise<() => void> => {
    let release: () => void = () => undefined;
    const mine = new Promise<void>((res) => {
      release = res;
    });
    const previous = gate;
    gate = previous.then(() => mine);
    await previous;
    return release;
  };

  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const backend = connect(backendPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(backend);
    client.setNoDelay(true);
    backend.setNoDelay(true);

    const fromClient = new WireMessageReader();
    const fromBackend = new WireMessageReader();
    const pending: Buffer[] = [];
    let awaitingReply: ((reply: Buffer | null) => void) | undefined;
    let pumping = false;
    let closed = false;

    const close = (): void => {
      if (closed) return;
      closed = true;
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
      const waiter = awaitingReply;
      awaitingReply = undefined;
      waiter?.(null);
    };

    const pump = async (): Promise<void> => {
      if (pumping) return;
      pumping = true;
      try {
        while (!closed && pending.length > 0) {
          const request = pending.shift() as Buffer;
          const release = isUngated(request) ? () => undefined : await acquire();
          try {
            if (closed) break;
            const reply = new Promise<Buffer | null>((res) => {
              awaitingReply = res;
            });
            backend.write(request);
            const message = await reply;
            if (message === null) break;
            client.write(message);
          } finally {
            release();
          }
        }
      } finally {
        pumping = false;
      }
    };

    client.on('data', (chunk: Buffer) => {
      const messages = fromClient.push(chunk);
      if (messages === null) return close();
      pending.push(...messages);
      void pump();
    });
    backend.on('data', (chunk: Buffer) => {
      const messages = fromBackend.push(chunk);
      if (messages === null) return close();
      for (const m of messages) {
        const waiter = awaitingReply;
        awaitingReply = undefined;
        if (waiter) waiter(m);
        else client.write(m); // unsolicited; pass it on
      }
    });
    for (const socket of [client, backend]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  server.unref();
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('proxy: could not determine its port');

  return {
    port: address.port,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => res());
      }),
  };
}

const OP_MSG = 2013;
/**
 * Commands that need not wait for others: reads (SQLite serves committed data) and plain
 * inserts (no read before the write; SQLite orders writers itself and its unique
 * indexes reject duplicates). Conditional writes — update, findAndModify, delete — and
 * anything not listed wait their turn.
 */
const UNGATED = new Set([
  'find',
  'getMore',
  'count',
  'distinct',
  'listCollections',
  'listIndexes',
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'buildInfo',
  'buildinfo',
  'killCursors',
  'insert',
]);

/** Whether an OP_MSG's command (the first key of its body section) may pass at once. */
function isUngated(message: Buffer): boolean {
  // header (16) · flagBits (4) · section kind 0 (1) · BSON: int32 length, element type, cstring name
  if (message.length < 27 || message.readInt32LE(12) !== OP_MSG || message[20] !== 0) return false;
  const end = message.indexOf(0, 26);
  return end > 26 && UNGATED.has(message.toString('latin1', 26, end));
}

/** Splits a byte stream into whole wire messages. `push` returns null on a malformed length. */
class WireMessageReader {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): Buffer[] | null {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: Buffer[] = [];
    while (this.length >= 4) {
      const head = this.chunks[0] as Buffer;
      const size = head.length >= 4 ? head.readInt32LE(0) : Buffer.concat(this.chunks).readInt32LE(0);
      if (size < 16 || size > MAX_WIRE_MESSAGE) return null;
      if (this.length < size) break;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks, this.length);
      out.push(all.subarray(0, size));
      const rest = all.subarray(size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
    }
    return out;
  }
}

/** Resolves to undefined once the server answers a ping, or to a reason it did not. */
