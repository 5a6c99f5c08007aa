import { hash, timingSafeEqual } from 'node:crypto';
import type { Envelope } from '../keys/envelope.js';
import type { ClientRecord } from '../clients/client-record.js';

/**
 * A verified-secret cache for client_secret_basic / client_secret_post
 * (docs/performance.md, "Client authentication").
 *
 * A client presents the same secret on every request. Once a presented secret has
 * verified against the stored keyed hash (HMAC-SHA256 under the master-key-derived key,
 * keys/envelope.ts), the SHA-256 of that secret is kept beside the client record it
 * verified against; the next request with the same secret costs one SHA-256 and one
 * constant-time compare instead of an HMAC. What is kept is a digest, never the secret.
 *
 * Invalidation: the entry belongs to the very ClientRecord object and to its
 * `secretHash`. A changed or rotated secret is a new record (the client directory reads
 * it again: a client change bumps the tenant revision, other replicas learn it through
 * the tenant registry's polled cache events) with another `secretHash`, so the entry no
 * longer applies; the WeakMap lets it go with the old record. A presented secret that
 * does not match the entry is checked against the stored hash as before, so a wrong
 * secret costs what it always did and is never remembered.
 */
interface Verified {
  secretHash: string;
  digest: Buffer;
}

const verified = new WeakMap<ClientRecord, Verified>();

const digestOf = (secret: string): Buffer => hash('sha256', secret, 'buffer');

/** True when `secret` is the client's secret (constant-time comparisons only). */
export function verifyClientSecret(envelope: Envelope, client: ClientRecord, secret: string): boolean {
  const stored = client.secretHash;
  if (!stored) return false;
  const digest = digestOf(secret);
  const known = verified.get(client);
  if (known && known.secretHash === stored && timingSafeEqual(known.digest, digest)) return true;
  if (!envelope.verifySecret(secret, stored)) return false;
  verified.set(client, { secretHash: stored, digest });
  return true;
}
