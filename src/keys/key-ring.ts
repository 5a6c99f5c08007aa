import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { signingAlgs, type SigningAlg } from '../config/defaults.js';
import type { Envelope } from './envelope.js';
import { keyContext } from './key-generation.js';
import type { PublicSigningKeyRecord, SigningKeyRecord } from './key-record.js';
import { isPublished } from './rotation.js';

/**
 * A key as a ring keeps it: the private key only for an ACTIVE key (the only one it signs
 * with). A NEXT key signs only after a rotation, which writes the keyset and so makes a new
 * ring; a RETIRED or REVOKED one never does. Not keeping them saves every loaded tenant
 * its NEXT keys' sealed private keys (docs/performance.md "Memory per tenant").
 */
export type RingKeyRecord = PublicSigningKeyRecord & { privateKey?: SigningKeyRecord['privateKey'] };

const kept = (rec: RingKeyRecord): RingKeyRecord => {
  if (rec.status === 'ACTIVE' || !rec.privateKey) return rec;
  const { privateKey: _dropped, ...rest } = rec;
  return rest;
};

export interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  key: KeyObject;
}

/**
 * A tenant's keys with the JWKS body and its ETag prepared: JWKS and signing never
 * touch the database or parse PEM per request. Key material is turned into KeyObjects
 * on first use (a private key is decrypted when the tenant first signs with that
 * algorithm, a public key when a token naming its kid is first verified), so a tenant
 * that is only asked for discovery or JWKS costs a JSON string — this is what keeps
 * 10,000 lazily loaded tenants cheap in memory and on first touch.
 */
export class KeyRing {
  readonly jwksBody: string;
  readonly etag: string;
  /** When a RETIRED key drops out of the JWKS: the ring must be rebuilt by then. */
  readonly validUntil: number;
  private readonly activeRecords = new Map<string, RingKeyRecord>();
  /** The tenant's keys (admin listings, and the rebuild when a RETIRED key leaves the JWKS). */
  readonly records: RingKeyRecord[];
  private readonly active = new Map<string, ActiveKey>();
  private readonly publishedJwks = new Map<string, { alg: string; jwk: string }>();
  private readonly published = new Map<string, { alg: string; key: KeyObject }>();

  constructor(
    readonly tenantId: string,
    records: readonly RingKeyRecord[],
    private readonly envelope: Envelope,
    now = new Date(),
    /** The algorithms of the tenant's key families: keys of other families are neither published nor used. */
    readonly algs: readonly SigningAlg[] = signingAlgs,
  ) {
    this.records = records.map(kept);
    const jwks: string[] = [];
    let validUntil = Number.POSITIVE_INFINITY;
    for (const rec of this.records) {
      if (!isPublished(rec, now) || !algs.includes(rec.alg)) continue;
      jwks.push(rec.publicJwk);
      this.publishedJwks.set(rec.kid, { alg: rec.alg, jwk: rec.publicJwk });
      if (rec.status === 'RETIRED' && rec.removeAfter) validUntil = Math.min(validUntil, new Date(rec.removeAfter).getTime());
      if (rec.status === 'ACTIVE') this.activeRecords.set(rec.alg, rec);
    }
    this.validUntil = validUntil;
    // The stored JWK strings are already canonical JSON objects: joined, not re-serialized.
    this.jwksBody = `{"keys":[${jwks.join(',')}]}`;
    this.etag = `"${createHash('sha256').update(this.jwksBody).digest('base64url').slice(0, 27)}"`;
  }

  /** The ACTIVE key of an algorithm; a tenant has one per algorithm of its key families. */
  signingKey(alg: SigningAlg): ActiveKey {
    let key = this.active.get(alg);
    if (!key) {
      const rec = this.activeRecords.get(alg);
      if (!rec?.privateKey) throw new Error(`tenant ${this.tenantId} has no ACTIVE ${alg} key`);
      const der = this.envelope.open(rec.privateKey, keyContext(this.tenantId, rec.kid));
      key = { kid: rec.kid, alg: rec.alg, key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
      this.active.set(alg, key);
    }
    return key;
  }

  /** A published public key by kid (NEXT, ACTIVE or RETIRED), for verifying our own tokens. */
  verificationKey(kid: string): { alg: string; key: KeyObject } | undefined {
    let found = this.published.get(kid);
    if (!found) {
      const pub = this.publishedJwks.get(kid);
      if (!pub) return undefined;
      found = { alg: pub.alg, key: createPublicKey({ key: JSON.parse(pub.jwk) as never, format: 'jwk' }) };
      this.published.set(kid, found);
    }
    return found;
  }

  get supportedAlgs(): SigningAlg[] {
    return [...this.activeRecords.keys()] as SigningAlg[];
  }
}
