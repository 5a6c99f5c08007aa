import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { createClient } from './helpers/admin.js';
import { Browser, runFlow, type FlowEnd } from './helpers/browser-fetch.js';
import { ALL_RESPONSE_TYPES, PASSWORD, RP, SPA, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Every response type in every response mode it allows, end to end with a certified
 * relying-party library: openid-client builds the authorization URL, the cookie-jar
 * browser logs in and consents, and openid-client validates the response (iss, state,
 * ID token signature, nonce, c_hash, auth_time) and redeems the code. For the two
 * response types openid-client has no API for (`id_token token`, `code token` with
 * tokens in the authorization response), at_hash is checked here as OIDC Core 3.2.2.9
 * prescribes, after openid-client verified the ID token.
 */
let srv: TestServer;
let fx: Fixture;

before(async () => {
  srv = await startTestServer({ label: 'rpflows' });
  fx = await setupFixture(srv);
});
after(async () => {
  await srv?.close();
});

type Kind = 'default' | 'hybrid' | 'implicit';

async function rpConfig(kind: Kind, clientId = fx.web.clientId, secret: string | null = fx.web.clientSecret): Promise<oidc.Configuration> {
  const config = await oidc.discovery(
    new URL(srv.issuer('acme')),
    clientId,
    { redirect_uris: [RP] },
    secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  if (kind === 'hybrid') oidc.useCodeIdTokenResponseType(config);
  if (kind === 'implicit') oidc.useIdTokenResponseType(config);
  return config;
}

/** The authorization response as openid-client takes it: the redirect URL, or a POST Request for form_post. */
function responseFor(end: FlowEnd, fragmentToQuery: boolean): URL | Request {
  if (end.kind === 'form_post') {
    assert.equal(end.action, RP);
    return new Request(end.action, {
      method: 'POST',
      body: new URLSearchParams(end.fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  assert.equal(end.kind, 'redirect', end.kind === 'page' ? `ended on a page: ${end.page.body.slice(0, 400)}` : '');
  const url = new URL((end as { url: string }).url);
  if (fragmentToQuery && url.hash) {
    // openid-client reads a code response from the query; a fragment-encoded one is moved there as an RP's page script would.
    const params = new URLSearchParams(url.hash.slice(1));
    url.hash = '';
    for (const [k, v] of params) url.searchParams.append(k, v);
  }
  return url;
}

/** The raw response parameters, for what openid-client does not look at. */
function rawParams(end: FlowEnd): URLSearchParams {
  if (end.kind === 'form_post') return new URLSearchParams(end.fields);
  const url = new URL((end as { url: string }).url);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/** OIDC Core 3.2.2.9: left half of the SHA-256 of the ASCII token, base64url. */
function tokenHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

const combos: [string, 'query' | 'fragment' | 'form_post'][] = [];
for (const rt of ALL_RESPONSE_TYPES)
  for (const mode of ['query', 'fragment', 'form_post'] as const) if (rt === 'code' || mode !== 'query') combos.push([rt, mode]);

describe('openid-client completes every response type and response mode', () => {
  for (const [responseType, mode] of combos) {
    test(`${responseType} / ${mode}`, async () => {
      const parts = responseType.split(' ');
      const kind: Kind =
        responseType === 'id_token' || responseType === 'id_token token' ? 'implicit' : parts.includes('id_token') ? 'hybrid' : 'default';
      const config = await rpConfig(kind);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const verifier = oidc.randomPKCECodeVerifier();
      const params: Record<string, string> = { redirect_uri: RP, scope: 'openid profile email', response_type: responseType, state, nonce };
      if (parts.includes('code')) {
        params.code_challenge = await oidc.calculatePKCECodeChallenge(verifier);
        params.code_challenge_method = 'S256';
      }
      const defaultMode = responseType === 'code' ? 'query' : 'fragment';
      if (mode !== defaultMode) params.response_mode = mode;
      const url = oidc.buildAuthorizationUrl(config, params);

      const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD, consent: 'allow' });
      // Consent is asked the first time and reused afterwards (same user and client).
      assert.equal(end.seen[0], 'login');
      assert.equal(end.kind, mode === 'form_post' ? 'form_post' : 'redirect');
      if (end.kind === 'redirect') assert.ok(end.url.startsWith(mode === 'query' ? `${RP}?` : `${RP}#`), end.url);
      const raw = rawParams(end);
      assert.equal(raw.get('iss'), srv.issuer('acme'), 'iss in the authorization response (RFC 9207)');
      assert.equal(raw.get('state'), state);

      let accessToken: string | undefined;
      let sub: string;
      if (kind === 'implicit') {
        const claims = await oidc.implicitAuthentication(config, responseFor(end, false), nonce, { expectedState: state });
        assert.equal(claims.nonce, nonce);
        assert.equal(claims.iss, srv.issuer('acme'));
        assert.equal(claims.aud, fx.web.clientId);
        sub = claims.sub;
        if (parts.includes('token')) {
          accessToken = raw.get('access_token')!;
          assert.ok(accessToken);
          assert.equal(raw.get('token_type')?.toLowerCase(), 'bearer');
          assert.equal(claims.at_hash, tokenHash(accessToken));
        } else {
          assert.equal(raw.get('access_token'), null);
          assert.equal(claims.email, 'alice@acme.example', 'scope claims in the ID token when no access token is issued');
        }
      } else {
        const checks: oidc.AuthorizationCodeGrantChecks = { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce };
        const tokens = await oidc.authorizationCodeGrant(config, responseFor(end, kind === 'default'), checks);
        const claims = tokens.claims()!;
        assert.equal(claims.nonce, nonce);
        assert.equal(claims.iss, srv.issuer('acme'));
        sub = claims.sub;
        accessToken = tokens.access_token;
        if (parts.includes('id_token')) {
          // openid-client verified the front-channel ID token and its c_hash; check its at_hash too.
          const front = decodeJwt(raw.get('id_token')!);
          assert.equal(front.c_hash, tokenHash(raw.get('code')!));
          assert.equal(front.sub, sub);
          if (parts.includes('token')) assert.equal(front.at_hash, tokenHash(raw.get('access_token')!));
        }
        if (parts.includes('token')) {
          const frontToken = raw.get('access_token')!;
          assert.ok(frontToken);
          const info = await oidc.fetchUserInfo(config, frontToken, sub);
          assert.equal(info.sub, sub);
        }
      }
      assert.equal(sub, fx.users.alice);
      if (accessToken) {
        const info = await oidc.fetchUserInfo(config, accessToken, sub);
        assert.equal(info.sub, sub);
      }
    });
  }
});

describe('more openid-client flows', () => {
  test('a public client with PKCE (token endpoint auth none)', async () => {
    const config = await oidc.discovery(new URL(srv.issuer('acme')), fx.spa.clientId, { redirect_uris: [SPA] }, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: SPA,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const end = await runFlow(new Browser(), url.href, { username: 'bob', password: PASSWORD, consent: 'allow' });
    assert.equal(end.kind, 'redirect');
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()!.sub, fx.users.bob);
  });

  test('max_age: openid-client checks auth_time', async () => {
    const config = await rpConfig('default');
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: RP,
      scope: 'openid',
      nonce,
      max_age: '300',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD, consent: 'allow' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      maxAge: 300,
    });
    const claims = tokens.claims()!;
    assert.equal(typeof claims.auth_time, 'number');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.ok(claims.sid);
  });

  test('the claims parameter reaches the ID token', async () => {
    const config = await rpConfig('implicit');
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: RP,
      scope: 'openid',
      response_type: 'id_token',
      nonce,
      claims: JSON.stringify({ id_token: { email: { essential: true }, name: null } }),
    });
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD, consent: 'allow' });
    const claims = await oidc.implicitAuthentication(config, new URL((end as { url: string }).url), nonce);
    assert.equal(claims.email, 'alice@acme.example');
    assert.equal(claims.name, 'Alice Liddell');
  });

  for (const alg of ['ES256', 'PS256', 'EdDSA', 'HS256']) {
    test(`ID tokens signed with ${alg} validate`, async () => {
      const c = await createClient(srv, 'acme', {
        name: `alg ${alg}`,
        clientType: 'CONFIDENTIAL',
        redirectUris: [RP],
        requireConsent: false,
        idTokenSignedResponseAlg: alg,
      });
      const config = await oidc.discovery(
        new URL(srv.issuer('acme')),
        c.clientId,
        { redirect_uris: [RP], id_token_signed_response_alg: alg },
        oidc.ClientSecretBasic(c.clientSecret!),
        {
          execute: [oidc.allowInsecureRequests],
        },
      );
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: RP, scope: 'openid', nonce });
      const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
      const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), { expectedNonce: nonce });
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, alg);
      assert.equal(tokens.claims()!.sub, fx.users.alice);
    });
  }

  test('an error response is surfaced by openid-client with iss checked', async () => {
    const config = await rpConfig('default');
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: RP, scope: 'openid', state, prompt: 'none' });
    const end = await runFlow(new Browser(), url.href, {});
    await assert.rejects(
      oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), { expectedState: state }),
      (err: Error & { error?: string; cause?: URLSearchParams }) => {
        assert.equal(err instanceof oidc.AuthorizationResponseError, true);
        assert.equal((err as oidc.AuthorizationResponseError).error, 'login_required');
        return true;
      },
    );
  });
});
