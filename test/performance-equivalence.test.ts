import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { jwkThumbprint } from '../src/oidc/dpop/jwk-thumbprint.js';

/**
 * The hot-path replacements of docs/performance.md give the very values of what they
 * replace: the synchronous JWK thumbprint equals jose's.
 */
describe('hot-path equivalence', () => {
  test('jwkThumbprint equals jose calculateJwkThumbprint for EC, RSA and OKP keys, extra members ignored', async () => {
    for (const [alg, opts] of [
      ['ES256', {}],
      ['ES384', {}],
      ['RS256', { modulusLength: 2048 }],
      ['EdDSA', {}],
    ] as const) {
      const { publicKey } = await generateKeyPair(alg, { ...opts, extractable: true });
      const jwk: JWK = { ...(await exportJWK(publicKey)), alg, use: 'sig', kid: 'k1' };
      assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk, 'sha256'), alg);
    }
  });

  test('jwkThumbprint refuses an unknown kty or a missing member', () => {
    assert.throws(() => jwkThumbprint({ kty: 'XX' }));
    assert.throws(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' }));
    assert.throws(() => jwkThumbprint({ kty: 'RSA', e: 'AQAB', n: '' }));
  });
});
