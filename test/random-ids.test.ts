/**
 * The pooled random source behind token ids and time-ordered ids (src/store/ids.ts):
 * the right length and alphabet, no value twice, also across refills of the pool.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBase64url, randomHex, timeOrderedId } from '../src/store/ids.js';

test('randomBase64url: 16 bytes are 22 base64url characters, never the same twice across many refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const v = randomBase64url(16);
    assert.match(v, /^[A-Za-z0-9_-]{22}$/);
    seen.add(v);
  }
  assert.equal(seen.size, 20_000);
});

test('randomHex and mixed sizes: lengths exact, odd sizes straddle the pool end', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5_000; i++) {
    const n = 1 + (i % 37);
    const h = randomHex(n);
    assert.match(h, new RegExp(`^[0-9a-f]{${2 * n}}$`));
    if (n >= 8) seen.add(h);
    assert.equal(Buffer.from(randomBase64url(n), 'base64url').length, n);
  }
  assert.equal(seen.size, [...Array(5_000).keys()].filter((i) => 1 + (i % 37) >= 8).length);
  assert.throws(() => randomHex(513), RangeError);
});

test('the pooled bytes are not constant: every byte value shows up', () => {
  const bytes = Buffer.from(Array.from({ length: 200 }, () => randomHex(32)).join(''), 'hex');
  assert.equal(new Set(bytes).size, 256);
});

test('timeOrderedId sorts by time, then by sequence within a millisecond', () => {
  const ids = [timeOrderedId(1_000), timeOrderedId(1_000), timeOrderedId(1_000), timeOrderedId(2_000)];
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, 4);
  for (const id of ids) assert.match(id, /^[0-9a-z]{14}[0-9a-f]{12}$/);
});
