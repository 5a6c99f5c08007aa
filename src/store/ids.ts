import { randomBytes } from 'node:crypto';

let last = 0;
let seq = 0;

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
  return `${now.toString(36).padStart(10, '0')}${seq.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}
