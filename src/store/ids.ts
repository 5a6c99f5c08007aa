import { randomFillSync } from 'node:crypto';

let last = 0;
let seq = 0;

/**
 * Random bytes for ids and token identifiers, taken from a pooled buffer that is
 * refilled from the CSPRNG (randomFillSync) when it runs out, as Node's own
 * randomUUID() does: one call into the CSPRNG per 512 bytes instead of one per id
 * (randomBytes(16) costs about 4 µs, a pooled slice about 0.2 µs; docs/performance.md).
 * Every byte is handed out once; callers copy it into a string at once.
 */
const POOL = Buffer.alloc(512);
let offset = POOL.length;

function take(bytes: number): number {
  if (bytes > POOL.length) throw new RangeError('at most 512 pooled random bytes at a time');
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` random bytes as base64url (e.g. a JWT `jti`). */
export function randomBase64url(bytes: number): string {
  const at = take(bytes);
  return POOL.toString('base64url', at, at + bytes);
}

/** `bytes` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  const at = take(bytes);
  return POOL.toString('hex', at, at + bytes);
}

/**
 * Ids that sort by creation time (milliseconds, then a per-process sequence, then
 * randomness against other replicas), so a unique index on `_id` doubles as a stable,
 * chronological pagination key.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now === last) seq++;
  else {
    last = now;
    seq = 0;
  }
  return `${now.toString(36).padStart(10, '0')}${seq.toString(36).padStart(4, '0')}${randomHex(6)}`;
}
