import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { signingAlgs } from '../src/config/defaults.js';
import { Envelope } from '../src/keys/envelope.js';
import { generateSigningKey, keyContext } from '../src/keys/key-generation.js';
import type { SigningKeyRecord } from '../src/keys/key-record.js';
import { KeyRing } from '../src/keys/key-ring.js';
import { initialKeys, isPublished, prune, revoke, rotate } from '../src/keys/rotation.js';
import { adminToken, clientCredentials, createClient, createTenant, gql, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const KEYS = `query($slug: String!) { tenant(slug: $slug) { signingKeys { kid alg status } } }`;

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ label: 'keys' });
});
after(() => srv.close());

async function jwksKids(slug: string): Promise<string[]> {
  const res = await fetch(`${srv.url}/t/${slug}/jwks`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

describe('rotation and revocation through GraphQL', () => {
  test('rotation promotes NEXT, retires ACTIVE, adds a NEXT, and JWKS shows it at once', async () => {
    await createTenant(srv, 'rot');
    const before = (await gqlOk(srv, KEYS, { slug: 'rot' })).tenant.signingKeys as { kid: string; alg: string; status: string }[];
    const nextRs = before.find((k) => k.alg === 'RS256' && k.status === 'NEXT')!;
    const activeRs = before.find((k) => k.alg === 'RS256' && k.status === 'ACTIVE')!;

    const data = await gqlOk(srv, `mutation { rotateSigningKeys(tenant: "rot") { signingKeys { kid alg status } } }`);
    const keys = data.rotateSigningKeys.signingKeys as { kid: string; alg: string; status: string }[];
    assert.equal(keys.find((k) => k.kid === nextRs.kid)?.status, 'ACTIVE');
    assert.equal(keys.find((k) => k.kid === activeRs.kid)?.status, 'RETIRED');
    for (const alg of signingAlgs) {
      assert.equal(keys.filter((k) => k.alg === alg && k.status === 'ACTIVE').length, 1);
      assert.equal(keys.filter((k) => k.alg === alg && k.status === 'NEXT').length, 1);
      assert.equal(keys.filter((k) => k.alg === alg && k.status === 'RETIRED').length, 1);
    }
    const kids = await jwksKids('rot');
    assert.equal(kids.length, 12);
    for (const k of keys) assert.ok(kids.includes(k.kid));
  });

  test('a token signed before rotation still verifies against the JWKS after it', async () => {
    await createTenant(srv, 'rot2');
    const { clientId, clientSecret } = await createClient(srv, 'rot2', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['api'],
    });
    const res = await clientCredentials(srv, 'rot2', clientId, clientSecret!, { scope: 'api' });
    const { access_token } = (await res.json()) as { access_token: string };
    await gqlOk(srv, `mutation { rotateSigningKeys(tenant: "rot2") { slug } }`);
    const jwks = createRemoteJWKSet(new URL(`${srv.url}/t/rot2/jwks`));
    const { payload, protectedHeader } = await jwtVerify(access_token, jwks, { issuer: `${srv.url}/t/rot2` });
    assert.equal(payload.client_id, clientId);
    // New tokens are signed with the promoted key.
    const res2 = await clientCredentials(srv, 'rot2', clientId, clientSecret!, { scope: 'api' });
    const t2 = ((await res2.json()) as { access_token: string }).access_token;
    const { protectedHeader: h2 } = await jwtVerify(t2, createRemoteJWKSet(new URL(`${srv.url}/t/rot2/jwks`)), {
      issuer: `${srv.url}/t/rot2`,
    });
    assert.notEqual(h2.kid, protectedHeader.kid);
  });

  test('revoking a key removes it from the JWKS at once; tokens it signed stop verifying', async () => {
    await createTenant(srv, 'rev');
    const { clientId, clientSecret } = await createClient(srv, 'rev', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['api'],
    });
    const token = ((await (await clientCredentials(srv, 'rev', clientId, clientSecret!)).json()) as { access_token: string }).access_token;
    const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;

    const data = await gqlOk(
      srv,
      `mutation($kid: String!) { revokeSigningKey(tenant: "rev", kid: $kid) { signingKeys { kid alg status } } }`,
      { kid },
    );
    const keys = data.revokeSigningKey.signingKeys as { kid: string; alg: string; status: string }[];
    assert.equal(keys.find((k) => k.kid === kid)?.status, 'REVOKED');
    assert.equal(keys.filter((k) => k.alg === 'RS256' && k.status === 'ACTIVE').length, 1, 'the NEXT key took over signing');
    assert.equal(keys.filter((k) => k.alg === 'RS256' && k.status === 'NEXT').length, 1, 'a new NEXT was made');
    assert.ok(!(await jwksKids('rev')).includes(kid));
    await assert.rejects(jwtVerify(token, createRemoteJWKSet(new URL(`${srv.url}/t/rev/jwks`))));
    // Signing goes on with the promoted key.
    const again = await clientCredentials(srv, 'rev', clientId, clientSecret!);
    assert.equal(again.status, 200);
  });

  test('revoking an unknown kid is NOT_FOUND and changes nothing', async () => {
    await createTenant(srv, 'rev2');
    const before = await jwksKids('rev2');
    const r = await gql(srv, `mutation { revokeSigningKey(tenant: "rev2", kid: "nope") { slug } }`, {}, await adminToken(srv));
    assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.deepEqual(await jwksKids('rev2'), before);
  });
});

describe('private keys at rest', () => {
  test('the raw keyset document holds no private key material in clear', async () => {
    await createTenant(srv, 'raw');
    const tenant = await srv.store.tenants.findBySlug('raw');
    const raw = await srv.db.collection('keysets').findOne({ tenantId: tenant!._id });
    assert.ok(raw);
    const text = JSON.stringify(raw);
    assert.doesNotMatch(text, /PRIVATE KEY/);
    for (const key of raw.keys as { publicJwk: string; privateKey: { mk: string; ct: string } }[]) {
      const jwk = JSON.parse(key.publicJwk) as Record<string, unknown>;
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(jwk[m], undefined);
      assert.ok(key.privateKey.ct && key.privateKey.mk);
      // The ciphertext is not a DER private key (PKCS#8 DER starts with 0x30).
      const ct = Buffer.from(key.privateKey.ct, 'base64');
      assert.ok(!(ct[0] === 0x30 && ct[1] === 0x82 && ct[4] === 0x02), 'ciphertext looks like DER');
    }
    // Opening with another master key fails; with the right one it works.
    const key = raw.keys[0] as SigningKeyRecord;
    const wrong = new Envelope(randomBytes(32));
    assert.throws(() => wrong.open({ ...key.privateKey, mk: wrong.currentKeyId }, keyContext(tenant!._id, key.kid)));
    assert.ok(srv.rt.envelope.open(key.privateKey, keyContext(tenant!._id, key.kid)).length > 0);
  });

  test('client secrets are stored hashed, never in clear', async () => {
    await createTenant(srv, 'sec');
    const { clientId, clientSecret } = await createClient(srv, 'sec', {
      name: 'svc',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
    });
    const raw = await srv.db.collection('clients').findOne({ clientId });
    assert.ok(raw && clientSecret);
    assert.ok(!JSON.stringify(raw).includes(clientSecret));
    assert.ok(raw.secretHash);
  });

  test('a master key can be rotated: data sealed under the previous key still opens', () => {
    const oldKey = randomBytes(32);
    const sealed = new Envelope(oldKey).seal('secret', 'ctx');
    const rotated = new Envelope(randomBytes(32), [oldKey]);
    assert.equal(rotated.open(sealed, 'ctx').toString(), 'secret');
    assert.notEqual(rotated.seal('x', 'ctx').mk, sealed.mk);
    assert.throws(() => rotated.open(sealed, 'other-context'), 'a blob cannot be moved to another record');
  });
});

describe('the key state machine', () => {
  const envelope = new Envelope(randomBytes(32));
  const fresh = (alg: (typeof signingAlgs)[number], status: 'NEXT' | 'ACTIVE') => generateSigningKey(envelope, 't1', alg, status);

  test('RETIRED keys stay published until every token they signed has expired, then are removed', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const keys = await initialKeys(fresh);
    const rotated = await rotate(keys, fresh, start, 3600);
    const retired = rotated.filter((k) => k.status === 'RETIRED');
    assert.equal(retired.length, signingAlgs.length);
    assert.ok(retired.every((k) => isPublished(k, new Date(start.getTime() + 3599_000))));
    assert.ok(retired.every((k) => !isPublished(k, new Date(start.getTime() + 3600_000))));
    const later = prune(rotated, new Date(start.getTime() + 3600_000));
    assert.equal(later.filter((k) => k.status === 'RETIRED').length, 0);
    // The ring rebuilds itself when a retired key expires.
    const ring = new KeyRing('t1', rotated, envelope, start);
    assert.equal(ring.validUntil, start.getTime() + 3600_000);
  });

  test('revoking a NEXT key replaces it; revoked keys are never published', async () => {
    const keys = await initialKeys(fresh);
    const next = keys.find((k) => k.alg === 'ES256' && k.status === 'NEXT')!;
    const after = await revoke(keys, next.kid, fresh, new Date());
    assert.equal(after.filter((k) => k.alg === 'ES256' && k.status === 'NEXT').length, 1);
    assert.ok(
      !isPublished(
        after.find((k) => k.kid === next.kid)!,
        new Date(),
      ),
    );
    const ring = new KeyRing('t1', after, envelope);
    assert.ok(!JSON.parse(ring.jwksBody).keys.some((k: { kid: string }) => k.kid === next.kid));
  });

  test('a ring keeps the private keys of its ACTIVE keys only, and still signs and rebuilds', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const rotated = await rotate(await initialKeys(fresh), fresh, start, 3600);
    const ring = new KeyRing('t1', rotated, envelope, start);
    assert.deepEqual(
      ring.records.filter((k) => k.privateKey).map((k) => k.kid),
      rotated.filter((k) => k.status === 'ACTIVE').map((k) => k.kid),
    );
    assert.equal(ring.records.length, rotated.length);
    // The rebuild when a RETIRED key leaves the JWKS starts from what the ring kept.
    const rebuilt = new KeyRing('t1', ring.records, envelope, new Date(start.getTime() + 3600_000));
    for (const alg of signingAlgs) assert.equal(rebuilt.signingKey(alg).kid, ring.signingKey(alg).kid);
    assert.equal(JSON.parse(rebuilt.jwksBody).keys.length, signingAlgs.length * 2);
  });
});
