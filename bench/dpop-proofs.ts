import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

/**
 * DPoP proofs (RFC 9449 4.2) for the load generator: one ES256 key per scenario, a fresh
 * proof (new `jti`, current `iat`) per request, signed synchronously with node:crypto
 * because autocannon builds requests synchronously. The same proofs go to both servers.
 */
export interface DpopProofMaker {
  /** A new proof for `POST {htu}`. */
  next(): string;
  /** RFC 7638 thumbprint of the key: what `cnf.jkt` of a bound token must be. */
  jkt: string;
}

export function dpopProofMaker(htu: string, htm = 'POST'): DpopProofMaker {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
  const header = Buffer.from(
    JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } }),
  ).toString('base64url');
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return {
    jkt: createHash('sha256').update(canonical).digest('base64url'),
    next() {
      const payload = Buffer.from(JSON.stringify({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) })).toString(
        'base64url',
      );
      const input = `${header}.${payload}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
      return `${input}.${signature}`;
    },
  };
}
