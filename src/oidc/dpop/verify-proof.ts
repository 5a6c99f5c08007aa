import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { decodeProtectedHeader, EmbeddedJWK, errors as joseErrors, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { jwkThumbprint } from './jwk-thumbprint.js';

/*
 * DPoP proof verification (RFC 9449 4.3), free of the provider: it imports only jose, lru-cache and
 * node:crypto, so the resource-server middleware (gatehouse/resource-server) runs the very
 * same checks in an API's process. Replay and nonce state are the caller's (passed in):
 * the provider keeps them in the database (docs/token-services.md "DPoP").
 */

/** Asymmetric JWS algorithms accepted in proofs: `dpop_signing_alg_values_supported`. */
export const DPOP_SIGNING_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'] as const;

/** Longest proof accepted: an RSA 4096 key and every claim fit well within it. */
const MAX_PROOF_LENGTH = 8192;
/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** `invalid_dpop_proof` or `use_dpop_nonce` (RFC 9449 7.1, 8, 9); the caller maps it to its surface. */
export class DpopProofError extends Error {
  constructor(
    readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce',
    message: string,
  ) {
    super(message);
    this.name = 'DpopProofError';
  }
}

export interface ProofExpectations {
  /** The request's method, upper case. */
  htm: string;
  /** The request's URL as the client addressed it; query and fragment are ignored. */
  htu: string;
  /** Present at resource endpoints: the proof must carry its hash (`ath`). */
  accessToken?: string;
  /** Seconds since the epoch. */
  now: number;
  /** How old (seconds) an `iat` may be. */
  maxAgeSeconds: number;
  /** How far (seconds) an `iat` may lie in the future (clock skew). */
  skewSeconds: number;
  /**
   * Server-provided nonces (RFC 9449 8): returns whether the proof's `nonce` is one the
   * server currently accepts; absent when the server does not require nonces.
   */
  acceptNonce?: (nonce: string | undefined) => boolean;
  /**
   * Replay detection: records the proof's `jti` for its key until `until`; false when it
   * was already recorded (the proof was replayed). Called only for an otherwise valid proof.
   */
  recordJti: (jkt: string, jti: string, until: number) => Promise<boolean>;
}

export interface VerifiedProof {
  /** JWK SHA-256 thumbprint (RFC 7638) of the proof's key: what `cnf.jkt` carries. */
  jkt: string;
  jwk: JWK;
  jti: string;
  iat: number;
}

/** `ath` (RFC 9449 4.2): base64url SHA-256 of the access token's ASCII. */
export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * RFC 9449 4.3 step 9 via RFC 3986 6.2.2/6.2.3 normalisation (WHATWG URL: case of scheme and
 * host, default port, dot segments, empty path), without query and fragment; null if not a URL.
 */
export function normalizeHtu(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * The proof's embedded key, imported once per distinct (alg, jwk): a client signs its
 * proofs with one key, and jose's EmbeddedJWK imports it anew for every proof. The entry
 * is keyed by the header's exact jwk JSON and alg, and holds only what EmbeddedJWK
 * answered for that very input (its refusals are not kept), so the result is the same
 * as without the cache (docs/performance.md "DPoP proofs").
 */
const importedKeys = new LRUCache<string, Awaited<ReturnType<typeof EmbeddedJWK>>>({ max: 1_000 });

const embeddedKey: JWTVerifyGetKey = async (header, token) => {
  const id = `${String(header.alg)}\n${JSON.stringify(header.jwk)}`;
  let key = importedKeys.get(id);
  if (!key) {
    key = await EmbeddedJWK(header, token);
    importedKeys.set(id, key);
  }
  return key;
};

const invalid = (why: string) => new DpopProofError('invalid_dpop_proof', why);

/**
 * The one `DPoP` header of a request (RFC 9449 4.3 steps 1-2); undefined without one.
 * Several headers, or several values in one, are refused.
 */
export function singleProof(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    if (header.length !== 1) throw invalid('exactly one DPoP header is allowed');
    header = header[0]!;
  }
  if (header.includes(',')) throw invalid('exactly one DPoP proof is allowed');
  if (!header || header.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(header))
    throw invalid('the DPoP proof is not a compact JWS');
  return header;
}

function checkHeader(proof: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalid('the DPoP proof header is not valid');
  }
  if (header.typ !== 'dpop+jwt') throw invalid('the DPoP proof typ must be dpop+jwt');
  if (typeof header.alg !== 'string' || !(DPOP_SIGNING_ALGS as readonly string[]).includes(header.alg))
    throw invalid('the DPoP proof alg is not supported');
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) throw invalid('the DPoP proof must carry its public key as jwk');
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw invalid('the DPoP proof jwk must be a public key');
}

/**
 * Verifies one DPoP proof against the request it came with (RFC 9449 4.3): typ, an
 * asymmetric alg of DPOP_SIGNING_ALGS, a public embedded jwk, the signature, `htm`,
 * `htu`, `iat` within the window, `ath` when an access token is presented, the nonce
 * when the server requires one, and last the `jti` replay check.
 */
export async function verifyProof(proof: string, want: ProofExpectations): Promise<VerifiedProof> {
  checkHeader(proof);
  let payload: Record<string, unknown>;
  let jwk: JWK;
  try {
    const r = await jwtVerify(proof, embeddedKey, { typ: 'dpop+jwt', algorithms: [...DPOP_SIGNING_ALGS] });
    payload = r.payload as Record<string, unknown>;
    jwk = r.protectedHeader.jwk as JWK;
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw invalid('the DPoP proof signature or key is not valid');
    throw err;
  }
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || !jti || jti.length > 256) throw invalid('the DPoP proof needs a jti');
  if (htm !== want.htm) throw invalid('the DPoP proof htm does not match the request method');
  if (typeof htu !== 'string' || normalizeHtu(htu) === null || normalizeHtu(htu) !== normalizeHtu(want.htu))
    throw invalid('the DPoP proof htu does not match the request URL');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('the DPoP proof needs an iat');
  if (iat > want.now + want.skewSeconds) throw invalid('the DPoP proof iat is in the future');
  if (iat < want.now - want.maxAgeSeconds) throw invalid('the DPoP proof is too old');
  if (want.accessToken !== undefined) {
    if (payload.ath !== accessTokenHash(want.accessToken)) throw invalid('the DPoP proof ath does not match the access token');
  }
  if (want.acceptNonce) {
    const nonce = payload.nonce;
    if (nonce !== undefined && typeof nonce !== 'string') throw invalid('the DPoP proof nonce must be a string');
    if (!want.acceptNonce(nonce)) throw new DpopProofError('use_dpop_nonce', 'a DPoP nonce from this server is required');
  }
  const jkt = jwkThumbprint(jwk);
  // Kept past the window's far end, so a replay cannot outlive its record.
  if (!(await want.recordJti(jkt, jti, Math.ceil(iat + want.maxAgeSeconds + want.skewSeconds))))
    throw invalid('the DPoP proof was already used');
  return { jkt, jwk, jti, iat };
}
