import { constants, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { jwtVerify, type JWTPayload, type JWTVerifyResult } from 'jose';
import type { SigningAlg } from '../config/defaults.js';
import type { KeyRing } from './key-ring.js';

/** How node:crypto signs each JWS algorithm (RFC 7518 section 3). */
const SCHEMES: Record<SigningAlg, { digest: string | null; options: Omit<SignKeyObjectInput, 'key'> }> = {
  RS256: { digest: 'sha256', options: {} },
  PS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  // JWS wants the raw r||s concatenation, not DER.
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, options: {} },
};

/**
 * Per key: its sign options per algorithm (an RSA key signs RS256 and PS256), made once,
 * and its encoded protected headers per alg and typ: the same few strings for every token.
 */
interface PerKey {
  options: Partial<Record<SigningAlg, SignKeyObjectInput>>;
  headers: Map<string, string>;
}
const perKeys = new WeakMap<KeyObject, PerKey>();

function perKeyOf(key: KeyObject): PerKey {
  let k = perKeys.get(key);
  if (!k) perKeys.set(key, (k = { options: {}, headers: new Map() }));
  return k;
}

function encodedHeader(perKey: PerKey, alg: SigningAlg, kid: string, typ: string | undefined): string {
  const k = `${alg} ${kid} ${typ ?? ''}`;
  let h = perKey.headers.get(k);
  if (h === undefined) {
    h = Buffer.from(JSON.stringify(typ ? { alg, kid, typ } : { alg, kid })).toString('base64url');
    perKey.headers.set(k, h);
  }
  return h;
}

/**
 * Signs with the tenant's ACTIVE key of `alg`; the kid tells verifiers which JWK to use.
 * A compact JWS (RFC 7515 section 7.1) made directly with node:crypto's asynchronous
 * sign on the cached KeyObject: the signature is computed on libuv's thread pool, and
 * the per-token work on the event loop is two base64url encodings. (jose's SignJWT
 * goes through WebCrypto with more per-call validation; measured ~15% fewer RS256
 * signatures per second on the bench machine.) Verification stays with jose.
 *
 * Asynchronous for every algorithm, ES256 and EdDSA included although a synchronous
 * signature costs only ~57 µs: the event loop is the token endpoint's bottleneck, and
 * signing ES256 on it measured fewer tokens per second, not more (docs/performance.md).
 */
export async function signJwt(ring: KeyRing, alg: SigningAlg, payload: JWTPayload, typ?: string): Promise<string> {
  const { kid, key } = ring.signingKey(alg);
  const perKey = perKeyOf(key);
  const options = (perKey.options[alg] ??= { key, ...SCHEMES[alg].options });
  const input = `${encodedHeader(perKey, alg, kid, typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return new Promise((resolve, reject) => {
    // The input is ASCII (base64url and a dot): latin1 is its exact byte form, and the cheapest encoding.
    sign(SCHEMES[alg].digest, Buffer.from(input, 'latin1'), options, (err, signature) => {
      if (err) reject(err);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}

export interface VerifyOptions {
  issuer: string;
  typ?: string;
  audience?: string | string[];
  /** Accept expired tokens (id_token_hint at logout); the signature is still checked. */
  ignoreExpiry?: boolean;
  /** The time `exp`/`nbf`/`iat` are checked against: the runtime's clock (tenant.clock.date()). */
  now: Date;
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
      currentDate: opts.now,
    },
  );
}
