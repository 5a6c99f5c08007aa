import { createHash } from 'node:crypto';
import type { JWK } from 'jose';

/** The required members of each key type, in the lexicographic order RFC 7638 3.2 prescribes. */
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  AKP: ['alg', 'kty', 'pub'],
};

/**
 * The JWK SHA-256 thumbprint (RFC 7638) of a public key, synchronously: the same value as
 * jose's calculateJwkThumbprint (the same members, the same JSON), without its round trip
 * through WebCrypto's asynchronous digest — it runs once per DPoP proof
 * (docs/performance.md "DPoP proofs"). Throws on a key type or member it cannot use.
 */
export function jwkThumbprint(jwk: JWK): string {
  const members = typeof jwk.kty === 'string' ? REQUIRED[jwk.kty] : undefined;
  if (!members) throw new TypeError('"kty" (Key Type) Parameter missing or unsupported');
  const required: Record<string, string> = {};
  for (const m of members) {
    const v = (jwk as Record<string, unknown>)[m];
    if (typeof v !== 'string' || !v) throw new TypeError(`"${m}" missing or invalid`);
    required[m] = v;
  }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
