import { SignJWT, jwtVerify, type JWTPayload, type JWTVerifyResult } from 'jose';
import type { SigningAlg } from '../config/defaults.js';
import type { KeyRing } from './key-ring.js';

/** Signs with the tenant's ACTIVE key of `alg`; the kid tells verifiers which JWK to use. */
export async function signJwt(ring: KeyRing, alg: SigningAlg, payload: JWTPayload, typ?: string): Promise<string> {
  const { kid, key } = ring.signingKey(alg);
  return new SignJWT(payload).setProtectedHeader(typ ? { alg, kid, typ } : { alg, kid }).sign(key);
}

export interface VerifyOptions {
  issuer: string;
  typ?: string;
  audience?: string | string[];
  /** Accept expired tokens (id_token_hint at logout); the signature is still checked. */
  ignoreExpiry?: boolean;
}

/** Verifies a JWT this tenant issued, against its published (NEXT, ACTIVE, RETIRED) keys. */
export async function verifyOwnJwt(ring: KeyRing, token: string, opts: VerifyOptions): Promise<JWTVerifyResult> {
  return jwtVerify(
    token,
    (header) => {
      const found = header.kid ? ring.verificationKey(header.kid) : undefined;
      if (!found || found.alg !== header.alg) throw new Error('unknown signing key');
      return found.key;
    },
    {
      issuer: opts.issuer,
      typ: opts.typ,
      audience: opts.audience,
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      clockTolerance: opts.ignoreExpiry ? Number.MAX_SAFE_INTEGER : 5,
    },
  );
}
