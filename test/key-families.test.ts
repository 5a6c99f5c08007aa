import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { Browser, runFlow } from './helpers/browser-fetch.js';
import { PASSWORD, RP } from './helpers/authorize-fixture.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { desiredClient } from '../scripts/lib/tenant-plan.js';
import { parseTenantFile, TenantFileError } from '../src/tenant-files/tenant-file.js';

/**
 * Issue 13 finding 8: a tenant chooses the key families it publishes and signs with
 * (keyFamilies: RSA, EC, OKP), through GraphQL and tenant files; JWKS, discovery,
 * rotation and client validation follow it.
 */
let srv: TestServer;
let token: string;

before(async () => {
  srv = await startTestServer({ label: 'key-families' });
  token = await adminToken(srv);
});
after(async () => {
  await srv?.close();
});

const jwks = async (slug: string) =>
  ((await (await fetch(`${srv.issuer(slug)}/jwks`)).json()) as { keys: { kty: string; alg: string; kid: string }[] }).keys;
const meta = async (slug: string) =>
  (await (await fetch(`${srv.issuer(slug)}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
const keys = async (slug: string) =>
  (
    await gqlOk<{
      tenant: { keyFamilies: string[]; settings: { keyFamilies: string[] }; signingKeys: { kid: string; alg: string; status: string }[] };
    }>(srv, `query { tenant(slug: "${slug}") { keyFamilies settings { keyFamilies } signingKeys { kid alg status } } }`, {}, token)
  ).tenant;

describe('key families', () => {
  test('default: every family, as before', async () => {
    await createTenant(srv, 'all-fam');
    assert.deepEqual([...new Set((await jwks('all-fam')).map((k) => k.kty))].sort(), ['EC', 'OKP', 'RSA']);
    assert.deepEqual((await keys('all-fam')).keyFamilies, ['RSA', 'EC', 'OKP']);
  });

  test('an RSA/EC-only tenant: JWKS, discovery, rotation, and an openid-client login', async () => {
    await createTenant(srv, 'no-okp', 'No OKP', { keyFamilies: ['RSA', 'EC'] });
    const t = await keys('no-okp');
    assert.deepEqual(t.keyFamilies, ['RSA', 'EC']);
    assert.deepEqual(t.settings.keyFamilies, ['RSA', 'EC']);
    assert.ok(t.signingKeys.every((k) => k.alg !== 'EdDSA'));
    assert.deepEqual([...new Set((await jwks('no-okp')).map((k) => k.kty))].sort(), ['EC', 'RSA']);
    const m = await meta('no-okp');
    assert.deepEqual(m.id_token_signing_alg_values_supported, ['RS256', 'PS256', 'ES256', 'HS256']);
    assert.deepEqual(m.userinfo_signing_alg_values_supported, ['RS256', 'PS256', 'ES256']);

    const r = await gqlOk(srv, 'mutation { rotateSigningKeys(tenant: "no-okp") { signingKeys { alg status } } }', {}, token);
    assert.ok(r.rotateSigningKeys.signingKeys.every((k: { alg: string }) => k.alg !== 'EdDSA'));
    assert.ok(!(await jwks('no-okp')).some((k) => k.kty === 'OKP'));

    const c = await createClient(srv, 'no-okp', {
      name: 'rp',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      requireConsent: false,
      idTokenSignedResponseAlg: 'ES256',
    });
    await createUser(srv, 'no-okp', 'alice', PASSWORD);
    const config = await oidc.discovery(
      new URL(srv.issuer('no-okp')),
      c.clientId,
      { redirect_uris: [RP], id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(c.clientSecret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    const nonce = oidc.randomNonce();
    const end = await runFlow(new Browser(), oidc.buildAuthorizationUrl(config, { redirect_uri: RP, scope: 'openid', nonce }).href, {
      username: 'alice',
      password: PASSWORD,
    });
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), { expectedNonce: nonce });
    assert.ok(tokens.claims()!.sub);
  });

  test('validation: at least one family, signingAlg in a chosen family, clients in a chosen family', async () => {
    const bad = async (query: string, field: string) => {
      const r = await gql(srv, query, {}, token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r.errors));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    };
    await bad(
      'mutation { createTenant(input: {slug: "fam-empty", displayName: "x", keyFamilies: []}) { tenant { slug } } }',
      'keyFamilies',
    );
    await bad(
      'mutation { createTenant(input: {slug: "fam-alg", displayName: "x", signingAlg: "EdDSA", keyFamilies: [RSA]}) { tenant { slug } } }',
      'keyFamilies',
    );
    await createTenant(srv, 'ec-only', 'EC only', { signingAlg: 'ES256', keyFamilies: ['EC'] });
    assert.deepEqual(
      (await jwks('ec-only')).map((k) => k.kty),
      ['EC', 'EC'],
    );
    await bad(
      'mutation { createClient(tenant: "ec-only", input: {name: "x", clientType: CONFIDENTIAL, redirectUris: ["https://rp.example.com/cb"], idTokenSignedResponseAlg: "RS256"}) { client { clientId } } }',
      'idTokenSignedResponseAlg',
    );
    await bad(
      'mutation { createClient(tenant: "ec-only", input: {name: "x", clientType: CONFIDENTIAL, redirectUris: ["https://rp.example.com/cb"], userinfoSignedResponseAlg: "EdDSA"}) { client { clientId } } }',
      'userinfoSignedResponseAlg',
    );
    // No alg named: the tenant's signingAlg, since RS256 has no keys here.
    const d = await gqlOk(
      srv,
      'mutation { createClient(tenant: "ec-only", input: {name: "x", clientType: CONFIDENTIAL, redirectUris: ["https://rp.example.com/cb"]}) { client { idTokenSignedResponseAlg } } }',
      {},
      token,
    );
    assert.equal(d.createClient.client.idTokenSignedResponseAlg, 'ES256');
    // Removing the family of signingAlg, or one a client uses, is refused.
    await bad('mutation { updateTenant(slug: "ec-only", input: {keyFamilies: [RSA]}) { slug } }', 'keyFamilies');
    await createTenant(srv, 'fam-clients');
    await createClient(srv, 'fam-clients', {
      name: 'ed',
      clientType: 'CONFIDENTIAL',
      redirectUris: ['https://rp.example.com/cb'],
      userinfoSignedResponseAlg: 'EdDSA',
    });
    await bad('mutation { updateTenant(slug: "fam-clients", input: {keyFamilies: [RSA, EC]}) { slug } }', 'keyFamilies');
  });

  test('registration: an algorithm outside the families is invalid_client_metadata', async () => {
    await createTenant(srv, 'reg-fam', 'Reg', { keyFamilies: ['RSA'], dynamicRegistration: 'OPEN' });
    const reg = (body: unknown) =>
      fetch(`${srv.issuer('reg-fam')}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const extra of [{ id_token_signed_response_alg: 'ES256' }, { userinfo_signed_response_alg: 'EdDSA' }]) {
      const r = await reg({ redirect_uris: ['https://rp.example.com/cb'], ...extra });
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { error: string }).error, 'invalid_client_metadata');
    }
    assert.equal((await reg({ redirect_uris: ['https://rp.example.com/cb'], id_token_signed_response_alg: 'PS256' })).status, 201);
  });

  test('removing a family revokes its keys at once; adding it back makes fresh ones', async () => {
    await createTenant(srv, 'toggle');
    const okpBefore = (await jwks('toggle')).filter((k) => k.kty === 'OKP').map((k) => k.kid);
    assert.equal(okpBefore.length, 2);
    await gqlOk(srv, 'mutation { updateTenant(slug: "toggle", input: {keyFamilies: [RSA, EC]}) { slug } }', {}, token);
    assert.ok(!(await jwks('toggle')).some((k) => k.kty === 'OKP'));
    assert.ok(!(await meta('toggle')).id_token_signing_alg_values_supported!.includes('EdDSA'));
    const revoked = (await keys('toggle')).signingKeys.filter((k) => k.alg === 'EdDSA');
    assert.ok(revoked.length === 2 && revoked.every((k) => k.status === 'REVOKED'));
    await gqlOk(srv, 'mutation { updateTenant(slug: "toggle", input: {settings: {keyFamilies: null}}) { slug } }', {}, token);
    const okpAfter = (await jwks('toggle')).filter((k) => k.kty === 'OKP').map((k) => k.kid);
    assert.equal(okpAfter.length, 2);
    assert.ok(
      okpAfter.every((kid) => !okpBefore.includes(kid)),
      'fresh keys',
    );
  });
});

describe('key families in tenant files', () => {
  const file = (settings: string, client = '') => `slug: files\ndisplayName: Files\nsettings:\n${settings}${client}`;
  const client = (alg: string) =>
    `clients:\n  - clientId: web-app\n    name: Web\n    clientType: CONFIDENTIAL\n    redirectUris: [https://rp.example.com/cb]\n${alg ? `    idTokenSignedResponseAlg: ${alg}\n` : ''}`;

  test('validated like the API: signingAlg and client algorithms must be in the families', () => {
    assert.throws(() => parseTenantFile(file('  keyFamilies: [EC]\n')), TenantFileError);
    assert.throws(() => parseTenantFile(file('  keyFamilies: [FOO]\n')), TenantFileError);
    assert.throws(() => parseTenantFile(file('  signingAlg: ES256\n  keyFamilies: [EC]\n', client('RS256'))), TenantFileError);
    const ok = parseTenantFile(file('  signingAlg: ES256\n  keyFamilies: [EC]\n', client('')));
    // The plan expects what the server stores: the tenant's signingAlg when RSA is not used.
    assert.equal(desiredClient(ok.clients![0]!, ok.settings).idTokenSignedResponseAlg, 'ES256');
  });
});
