import type { EncryptedBlob } from './key-record.js';
import type { KeyFamily } from './families.js';

/**
 * A pre-generated key pair waiting in the pool (docs/keys.md "Key pool"). Not a tenant's
 * key: it has no kid, no algorithm and no tenant until createTenant claims it, which
 * deletes it from the pool in the same atomic operation, so one pair is one tenant key.
 */
export interface KeyPoolPairRecord {
  /** Random id; also in the private key's AES-GCM additional data (keys/key-pool.ts poolContext). */
  _id: string;
  family: KeyFamily;
  createdAt: Date;
  /** JSON of the public JWK without kid, alg and use (those are assigned at claim). */
  publicJwk: string;
  /** PKCS#8 DER of the private key, sealed under the master key like every private key. */
  privateKey: EncryptedBlob;
}
