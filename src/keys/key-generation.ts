import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { exportJWK, type JWK } from 'jose';
import type { SigningAlg } from '../config/defaults.js';
import type { Envelope } from './envelope.js';
import { familyOf, type KeyFamily } from './families.js';
import type { SigningKeyRecord } from './key-record.js';

const generate = promisify(generateKeyPair);

/** A key pair of one family (an RSA pair serves RS256 or PS256: one algorithm per pair, chosen when it becomes a tenant key). */
async function familyKeyPair(family: KeyFamily): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (family) {
    case 'RSA':
      return generate('rsa', { modulusLength: 2048 });
    case 'EC':
      return generate('ec', { namedCurve: 'P-256' });
    case 'OKP':
      return generate('ed25519');
  }
}

/** A fresh key pair of `family`: the public JWK (no kid, alg or use yet) and the private key as PKCS#8 DER. */
export async function generateKeyMaterial(family: KeyFamily): Promise<{ jwk: JWK; pkcs8: Buffer }> {
  const { publicKey, privateKey } = await familyKeyPair(family);
  return { jwk: await exportJWK(publicKey), pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }) };
}

/** The AES-GCM additional data binding a private key to its tenant and kid. */
export const keyContext = (tenantId: string, kid: string): string => `signing-key:${tenantId}:${kid}`;

/**
 * A tenant's key record from key material: a new random kid, the public JWK with kid,
 * alg and use, and the private half sealed under the master key for this tenant and kid.
 */
export function signingKeyFromMaterial(
  envelope: Envelope,
  tenantId: string,
  alg: SigningAlg,
  status: 'NEXT' | 'ACTIVE',
  now: Date,
  material: { jwk: JWK; pkcs8: Buffer },
): SigningKeyRecord {
  const kid = randomBytes(12).toString('base64url');
  const { kid: _k, alg: _a, use: _u, ...jwk } = material.jwk;
  return {
    kid,
    alg,
    status,
    createdAt: now,
    activatedAt: status === 'ACTIVE' ? now : null,
    publicJwk: JSON.stringify({ ...jwk, kid, alg, use: 'sig' }),
    privateKey: envelope.seal(material.pkcs8, keyContext(tenantId, kid)),
  };
}

/** A new key pair for `alg`, private half sealed under the master key. */
export async function generateSigningKey(
  envelope: Envelope,
  tenantId: string,
  alg: SigningAlg,
  status: 'NEXT' | 'ACTIVE',
  now = new Date(),
): Promise<SigningKeyRecord> {
  return signingKeyFromMaterial(envelope, tenantId, alg, status, now, await generateKeyMaterial(familyOf(alg)!));
}
