import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../config/defaults.js';
import type { Envelope } from './envelope.js';
import { keyContext } from './key-generation.js';
import type { SigningKeyRecord } from './key-record.js';
import { isPublished } from './rotation.js';

export interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  key: KeyObject;
}

/**
 * A tenant's keys, decrypted once and held as KeyObjects, with the JWKS body and its
 * ETag prepared: JWKS and signing never touch the database or parse PEM per request.
 */
export class KeyRing {
  readonly jwksBody: string;
  readonly etag: string;
  /** When a RETIRED key drops out of the JWKS: the ring must be rebuilt by then. */
  readonly validUntil: number;
  private readonly active = new Map<string, ActiveKey>();
  private readonly published = new Map<string, { alg: string; key: KeyObject }>();

  constructor(
    readonly tenantId: string,
    readonly records: SigningKeyRecord[],
    envelope: Envelope,
    now = new Date(),
  ) {
    const jwks: object[] = [];
    let validUntil = Number.POSITIVE_INFINITY;
    for (const rec of records) {
      if (!isPublished(rec, now)) continue;
      const jwk = JSON.parse(rec.publicJwk) as Record<string, unknown>;
      jwks.push(jwk);
      this.published.set(rec.kid, { alg: rec.alg, key: createPublicKey({ key: jwk as never, format: 'jwk' }) });
      if (rec.status === 'RETIRED' && rec.removeAfter) validUntil = Math.min(validUntil, new Date(rec.removeAfter).getTime());
      if (rec.status === 'ACTIVE') {
        const der = envelope.open(rec.privateKey, keyContext(tenantId, rec.kid));
        this.active.set(rec.alg, { kid: rec.kid, alg: rec.alg, key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) });
      }
    }
    this.validUntil = validUntil;
    this.jwksBody = JSON.stringify({ keys: jwks });
    this.etag = `"${createHash('sha256').update(this.jwksBody).digest('base64url').slice(0, 27)}"`;
  }

  /** The ACTIVE key of an algorithm family; every tenant has one per supported alg. */
  signingKey(alg: SigningAlg): ActiveKey {
    const key = this.active.get(alg);
    if (!key) throw new Error(`tenant ${this.tenantId} has no ACTIVE ${alg} key`);
    return key;
  }

  /** A published public key by kid (NEXT, ACTIVE or RETIRED), for verifying our own tokens. */
  verificationKey(kid: string): { alg: string; key: KeyObject } | undefined {
    return this.published.get(kid);
  }

  get supportedAlgs(): SigningAlg[] {
    return [...this.active.keys()] as SigningAlg[];
  }
}
