import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { exportJWK } from 'jose';
import type { SigningAlg } from '../config/defaults.js';
import type { Envelope } from './envelope.js';
import type { SigningKeyRecord } from './key-record.js';

const generate = promisify(generateKeyPair);

async function keyPair(alg: SigningAlg): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generate('rsa', { modulusLength: 2048 });
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generate('ed25519');
  }
}

/** The AES-GCM additional data binding a private key to its tenant and kid. */
export const keyContext = (tenantId: string, kid: string): string => `signing-key:${tenantId}:${kid}`;

/** A new key pair for `alg`, private half sealed under the master key. */
export async function generateSigningKey(
  envelope: Envelope,
  tenantId: string,
  alg: SigningAlg,
  status: 'NEXT' | 'ACTIVE',
  now = new Date(),
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await keyPair(alg);
  const kid = randomBytes(12).toString('base64url');
  const jwk = await exportJWK(publicKey);
  const publicJwk = JSON.stringify({ ...jwk, kid, alg, use: 'sig' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    kid,
    alg,
    status,
    createdAt: now,
    activatedAt: status === 'ACTIVE' ? now : null,
    publicJwk,
    privateKey: envelope.seal(pkcs8, keyContext(tenantId, kid)),
  };
}
