import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { tenantDefaults } from '../src/config/defaults.js';
import { codeLifetime } from '../src/oidc/fapi/profile.js';
import type { TenantContext } from '../src/tenancy/tenant-context.js';
import { createClient, createTenant, createUser, gqlOk, type CreatedClient } from './helpers/admin.js';
import { ALL_RESPONSE_TYPES, PASSWORD, RP } from './helpers/authorize-fixture.js';
import { Browser, responseParams, runFlow } from './helpers/browser-fetch.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The FAPI 2.0 Security Profile switch (tenant setting securityProfile: FAPI2_SECURITY):
 * openid-client completes PAR + PKCE + private_key_jwt + DPoP, and every rule the
 * profile adds refuses what it forbids, naming itself in error_description.
 */
let srv: TestServer;
let fapi: CreatedClient;
let basic: CreatedClient;
let key: CryptoKey;
const T = 'fapibank';
const KID = 'fapi-rp-1';

before(async () => {
  srv = await startTestServer({ label: 'fapi2' });
  await createTenant(srv, T, 'FAPI Bank', { settings: { securityProfile: 'FAPI2_SECURITY' } });
  const pair = await generateKeyPair('ES256');
  key = pair.privateKey;
  const pub = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'ES256' };
  const common = {
    clientType: 'CONFIDENTIAL',
    redirectUris: [RP],
    scopes: ['openid', 'profile'],
    requireConsent: false,
    grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
    responseTypes: ALL_RESPONSE_TYPES,
  };
  [fapi, basic] = await Promise.all([
    createClient(srv, T, { name: 'FAPI RP', ...common, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [pub] } }),
    createClient(srv, T, { name: 'Secret RP', ...common }),
  ]);
  await createUser(srv, T, 'alice', PASSWORD);
});
after(async () => {
  await srv?.close();
});

const rp = (): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(T)), fapi.clientId, { redirect_uris: [RP] }, oidc.PrivateKeyJwt({ key, kid: KID }), {
    execute: [oidc.allowInsecureRequests],
  });

async function pkceParams(extra: Record<string, string> = {}): Promise<{ verifier: string; params: Record<string, string> }> {
  const verifier = oidc.randomPKCECodeVerifier();
  return {
    verifier,
    params: {
      redirect_uri: RP,
      scope: 'openid profile',
      state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    },
  };
}

/** openid-client's error for a refused request: the OAuth error code and its description. */
const refused = (code: string, rule: RegExp) => (err: unknown) => {
  const e = err as { error?: string; error_description?: string };
  assert.equal(e.error, code, String(err));
  assert.match(e.error_description ?? '', rule);
  return true;
};

describe('FAPI 2.0 with openid-client', () => {
  test('discovery reflects the profile', async () => {
    const m = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(m.require_pushed_authorization_requests, true);
    assert.equal(m.pushed_authorization_request_endpoint, `${srv.issuer(T)}/par`);
    assert.deepEqual(m.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.deepEqual(m.response_types_supported, ['code']);
    assert.deepEqual(m.response_modes_supported, ['query', 'form_post']);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    assert.ok(!(m.grant_types_supported as string[]).includes('implicit'));
    assert.ok((m.dpop_signing_alg_values_supported as string[]).includes('ES256'));
  });

  test('PAR + PKCE + private_key_jwt + DPoP: login, code with iss, tokens', async () => {
    const config = await rp();
    const dpopKey = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, dpopKey);
    const { verifier, params } = await pkceParams();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, params, { DPoP });
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const landed = new URL((end as { url: string }).url);
    assert.equal(landed.searchParams.get('iss'), srv.issuer(T));
    const tokens = await oidc.authorizationCodeGrant(
      config,
      landed,
      { pkceCodeVerifier: verifier, expectedState: params.state },
      undefined,
      {
        DPoP,
      },
    );
    assert.ok(tokens.access_token);
    assert.equal(tokens.claims()!.aud, fapi.clientId);
    // Sender-constrained: the one proof FAPI verified binds the tokens (openid-client lower-cases token_type).
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const cnf = decodeJwt(tokens.access_token).cnf as { jkt?: string } | undefined;
    assert.equal(cnf?.jkt, await calculateJwkThumbprint(await exportJWK(dpopKey.publicKey)));
  });
});

describe('FAPI 2.0 refusals name the rule', () => {
  test('a plain authorization request (not pushed)', async () => {
    const { params } = await pkceParams();
    const page = await new Browser().request(
      `${srv.issuer(T)}/authorize?${new URLSearchParams({ client_id: fapi.clientId, response_type: 'code', ...params })}`,
    );
    assert.equal(page.status, 303);
    const p = responseParams(page.headers.get('location')!);
    assert.equal(p.get('error'), 'invalid_request');
    assert.equal(p.get('error_description'), 'FAPI 2.0: pushed authorization request required');
  });

  test('no PKCE', async () => {
    const { params } = await pkceParams();
    delete params.code_challenge;
    delete params.code_challenge_method;
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(await rp(), params),
      refused('invalid_request', /^FAPI 2\.0: PKCE with S256 required$/),
    );
  });

  test('implicit and hybrid response types, and response_mode fragment', async () => {
    const config = await rp();
    for (const response_type of ['id_token', 'code id_token']) {
      const { params } = await pkceParams({ response_type, nonce: 'n-1' });
      await assert.rejects(
        oidc.buildAuthorizationUrlWithPAR(config, params),
        refused('unsupported_response_type', /^FAPI 2\.0: response_type code/),
      );
    }
    const { params } = await pkceParams({ response_mode: 'fragment' });
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(config, params),
      refused('invalid_request', /^FAPI 2\.0: response_mode fragment/),
    );
  });

  test('client_secret_basic at PAR and at the token endpoint', async () => {
    const { params } = await pkceParams();
    const auth = `Basic ${Buffer.from(`${basic.clientId}:${basic.clientSecret}`).toString('base64')}`;
    for (const path of ['/par', '/token']) {
      const body = path === '/par' ? params : { grant_type: 'authorization_code', code: 'x', redirect_uri: RP };
      const res = await fetch(`${srv.issuer(T)}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: new URLSearchParams(body),
      });
      assert.equal(res.status, 401, path);
      const json = (await res.json()) as { error: string; error_description: string };
      assert.equal(json.error, 'invalid_client');
      assert.match(json.error_description, /^FAPI 2\.0: private_key_jwt/);
    }
  });

  test('a token request without a DPoP proof', async () => {
    const config = await rp();
    const { verifier, params } = await pkceParams();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, params);
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'redirect');
    await assert.rejects(
      oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
        pkceCodeVerifier: verifier,
        expectedState: params.state,
      }),
      refused('invalid_dpop_proof', /^FAPI 2\.0: DPoP proof required/),
    );
  });

  test('a code pushed with a DPoP proof is redeemed only with that key (RFC 9449 10.1); a refusal spends nothing', async () => {
    const config = await rp();
    const key = await oidc.randomDPoPKeyPair('ES256');
    const { verifier, params } = await pkceParams();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, params, { DPoP: oidc.getDPoPHandle(config, key) });
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'redirect');
    const landed = new URL((end as { url: string }).url);
    const checks = { pkceCodeVerifier: verifier, expectedState: params.state };
    const other = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    await assert.rejects(oidc.authorizationCodeGrant(config, landed, checks, undefined, { DPoP: other }), refused('invalid_grant', /DPoP/));
    const tokens = await oidc.authorizationCodeGrant(config, landed, checks, undefined, { DPoP: oidc.getDPoPHandle(config, key) });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  });

  test('codes live at most 60 s whatever codeTtl says; the setting round-trips', async () => {
    const tenant = (await srv.rt.tenants.get(T))!;
    assert.equal(codeLifetime({ ...tenant, settings: { ...tenant.settings, codeTtl: 600 } } as TenantContext), 60);
    assert.equal(codeLifetime({ ...tenant, settings: { ...tenantDefaults, codeTtl: 600 } } as TenantContext), 600);
    const data = await gqlOk<{ tenant: { settings: { securityProfile: string } } }>(
      srv,
      `{ tenant(slug: "${T}") { settings { securityProfile } } }`,
    );
    assert.equal(data.tenant.settings.securityProfile, 'FAPI2_SECURITY');
  });
});
