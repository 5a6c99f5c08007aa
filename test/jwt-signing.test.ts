import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { signingAlgs } from '../src/config/defaults.js';
import { Envelope } from '../src/keys/envelope.js';
import { generateSigningKey } from '../src/keys/key-generation.js';
import { KeyRing } from '../src/keys/key-ring.js';
import { signJwt, verifyOwnJwt } from '../src/keys/jwt.js';

// signJwt builds compact JWS with node:crypto directly; an independent implementation
// (jose, against the published JWKS) must accept every algorithm it produces.
test('tokens of every signing algorithm verify with jose against the JWKS', async () => {
  const envelope = new Envelope(randomBytes(32));
  const keys = [];
  for (const alg of signingAlgs) {
    keys.push(await generateSigningKey(envelope, 't1', alg, 'ACTIVE'), await generateSigningKey(envelope, 't1', alg, 'NEXT'));
  }
  const ring = new KeyRing('t1', keys, envelope);
  const jwks = createLocalJWKSet(JSON.parse(ring.jwksBody));
  const now = Math.floor(Date.now() / 1000);
  for (const alg of signingAlgs) {
    for (const typ of [undefined, 'at+jwt']) {
      const token = await signJwt(
        ring,
        alg,
        { iss: 'https://op.example/t/t1', sub: 'u1', aud: 'rp', iat: now, exp: now + 60, scope: 'a b', n: 'ünï' },
        typ,
      );
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, alg);
      assert.equal(header.kid, ring.signingKey(alg).kid);
      assert.equal(header.typ, typ);
      const { payload } = await jwtVerify(token, jwks, {
        issuer: 'https://op.example/t/t1',
        audience: 'rp',
        algorithms: [alg],
        ...(typ ? { typ } : {}),
      });
      assert.equal(payload.sub, 'u1');
      assert.equal(payload.n, 'ünï');
      const own = await verifyOwnJwt(ring, token, { issuer: 'https://op.example/t/t1', audience: 'rp', now: new Date() });
      assert.equal(own.payload.scope, 'a b');
    }
  }
});

test('a tampered token is refused', async () => {
  const envelope = new Envelope(randomBytes(32));
  const ring = new KeyRing('t1', [await generateSigningKey(envelope, 't1', 'ES256', 'ACTIVE')], envelope);
  const token = await signJwt(ring, 'ES256', { iss: 'i', sub: 'a' });
  const [h, , s] = token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ iss: 'i', sub: 'b' })).toString('base64url')}.${s}`;
  await assert.rejects(verifyOwnJwt(ring, forged, { issuer: 'i', now: new Date() }));
});
