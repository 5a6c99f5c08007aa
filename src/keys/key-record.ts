import type { SigningAlg } from '../config/defaults.js';

export type KeyStatus = 'NEXT' | 'ACTIVE' | 'RETIRED' | 'REVOKED';

/** Ciphertext of a private key under a master key (AES-256-GCM). */
export interface EncryptedBlob {
  /** Identifies the master key that encrypted it, so the master key can be rotated. */
  mk: string;
  iv: string;
  tag: string;
  ct: string;
}

export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  createdAt: Date;
  activatedAt?: Date | null;
  retiredAt?: Date | null;
  revokedAt?: Date | null;
  /** A RETIRED key leaves the JWKS after this instant (every token it signed has expired). */
  removeAfter?: Date | null;
  /** JSON of the public JWK (stored as a string: JWK members are fixed, but this keeps it opaque). */
  publicJwk: string;
  privateKey: EncryptedBlob;
}

/** A key without its private part: what the admin API shows and what a key ring keeps of keys it does not sign with. */
export type PublicSigningKeyRecord = Omit<SigningKeyRecord, 'privateKey'>;
