import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { createClient, gqlOk, type CreatedClient } from './helpers/admin.js';
import { ALL_RESPONSE_TYPES, PASSWORD, RP, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { Browser, parseForms, responseParams, runFlow, type Page } from './helpers/browser-fetch.js';
import { startDocumentServer, type DocumentServer } from './helpers/document-server.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Request objects (OIDC Core 6, RFC 9101): openid-client's JAR end to end, by value and
 * by reference, and the failures a conformance suite and an attacker try: another
 * client's key, expired, wrong aud, alg none unregistered, request_uri that hangs, is
 * too big, internal or unregistered; errors in the response_mode the object asks for.
 */
let srv: TestServer;
let fx: Fixture;
let docs: DocumentServer;
let jar: CreatedClient;
let unsigned: CreatedClient;
let hmac: CreatedClient;
let key: CryptoKey;
let otherKey: CryptoKey;
const KID = 'rp-key-1';
const scopes = ['openid', 'profile', 'email'];

before(async () => {
  process.env.NODE_ENV ??= 'test';
  srv = await startTestServer({ label: 'jar' });
  docs = await startDocumentServer();
  fx = await setupFixture(srv);
  const mine = await generateKeyPair('RS256');
  key = mine.privateKey;
  const pair = await generateKeyPair('RS256');
  otherKey = pair.privateKey;
  const pub = { ...(await exportJWK(mine.publicKey)), kid: KID, use: 'sig', alg: 'RS256' };
  const otherPub = { ...(await exportJWK(pair.publicKey)), kid: 'other-key', alg: 'RS256' };
  const browser = { grantTypes: ['authorization_code', 'refresh_token', 'implicit'], responseTypes: ALL_RESPONSE_TYPES, scopes };
  [jar, unsigned, hmac] = await Promise.all([
    createClient(srv, 'acme', {
      name: 'JAR client',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      ...browser,
      jwks: { keys: [pub] },
      requestUris: [`${docs.url}/req/jar#v1`, `${docs.url}/slow`, `${docs.url}/big`, 'https://10.0.0.1/req.jwt'],
    }),
    createClient(srv, 'acme', {
      name: 'Unsigned objects',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      ...browser,
      requestObjectSigningAlg: 'none',
    }),
    createClient(srv, 'acme', {
      name: 'HS256 objects',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      ...browser,
      requestObjectSigningAlg: 'HS256',
    }),
    // Another client holding the other key: its key must not open the JAR client's requests.
    createClient(srv, 'acme', { name: 'Other', clientType: 'CONFIDENTIAL', redirectUris: [RP], ...browser, jwks: { keys: [otherPub] } }),
  ]);
});
after(async () => {
  await docs?.close();
  await srv?.close();
});

const base = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  response_type: 'code',
  redirect_uri: RP,
  scope: 'openid profile',
  state: 'st-obj',
  nonce: 'n-obj',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
  ...extra,
});

async function signed(
  client: CreatedClient,
  claims: Record<string, unknown>,
  opts: { key?: CryptoKey | Uint8Array; alg?: string; aud?: string; exp?: number | string } = {},
): Promise<string> {
  const alg = opts.alg ?? 'RS256';
  let jwt = new SignJWT({ client_id: client.clientId, ...claims } as JWTPayload)
    .setProtectedHeader({ alg, kid: alg.startsWith('HS') ? undefined : KID, typ: 'oauth-authz-req+jwt' })
    .setIssuer(client.clientId)
    .setAudience(opts.aud ?? srv.issuer('acme'))
    .setIssuedAt();
  jwt = jwt.setExpirationTime(opts.exp ?? '5m');
  return jwt.sign(opts.key ?? key);
}

function unsecured(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc(claims)}.`;
}

const authorize = (params: Record<string, string>): Promise<Page> =>
  new Browser().request(`${srv.issuer('acme')}/authorize?${new URLSearchParams(params)}`);

/** An error redirected to the client (query), with iss and state. */
function redirectedError(page: Page, code: string, state = 'st-obj'): URLSearchParams {
  assert.equal(page.status, 303, `expected a redirect, got ${page.status}: ${page.body.slice(0, 300)}`);
  const location = page.headers.get('location')!;
  assert.ok(location.startsWith(RP), location);
  const p = responseParams(location);
  assert.equal(p.get('error'), code, location);
  assert.equal(p.get('state'), state);
  assert.equal(p.get('iss'), srv.issuer('acme'));
  return p;
}

/** The request was accepted: the browser is sent to the login page. */
function accepted(page: Page): void {
  assert.equal(page.status, 303, `expected a redirect, got ${page.status}: ${page.body.slice(0, 300)}`);
  assert.match(page.headers.get('location')!, /\/t\/acme\/interaction\//);
}

describe('openid-client JAR end to end', () => {
  async function rp(): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(srv.issuer('acme')), jar.clientId, { redirect_uris: [RP] }, oidc.ClientSecretBasic(jar.clientSecret!), {
      execute: [oidc.allowInsecureRequests],
    });
  }

  test('discovery announces request objects truthfully', async () => {
    const meta = (await (await fetch(`${srv.issuer('acme')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.request_parameter_supported, true);
    assert.equal(meta.request_uri_parameter_supported, true);
    assert.equal(meta.require_request_uri_registration, true);
    assert.ok((meta.request_object_signing_alg_values_supported as string[]).includes('RS256'));
    assert.ok((meta.request_object_signing_alg_values_supported as string[]).includes('none'));
  });

  test('request by value (signed RS256): login, consent, code, tokens', async () => {
    const config = await rp();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithJAR(
      config,
      {
        redirect_uri: RP,
        scope: 'openid profile',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      },
      { key, kid: KID },
    );
    assert.ok(url.searchParams.has('request'));
    assert.equal(url.searchParams.get('redirect_uri'), null, 'everything but client_id travels inside the object');
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD, consent: 'allow' });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    assert.equal(tokens.claims()!.nonce, nonce);
    assert.equal(tokens.claims()!.aud, jar.clientId);
  });

  test('request by reference (request_uri, registered with a fragment) in form_post', async () => {
    const config = await rp();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const byValue = await oidc.buildAuthorizationUrlWithJAR(
      config,
      {
        redirect_uri: RP,
        scope: 'openid',
        state,
        nonce,
        response_mode: 'form_post',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      },
      { key, kid: KID },
    );
    docs.serve('/req/jar', byValue.searchParams.get('request')!, { type: 'application/oauth-authz-req+jwt' });
    const url = `${srv.issuer('acme')}/authorize?${new URLSearchParams({ client_id: jar.clientId, request_uri: `${docs.url}/req/jar#v1` })}`;
    const end = await runFlow(new Browser(), url, { username: 'alice', password: PASSWORD, consent: 'allow' });
    assert.equal(end.kind, 'form_post', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const fields = (end as { fields: Record<string, string> }).fields;
    const response = new Request(RP, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const tokens = await oidc.authorizationCodeGrant(config, response, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    assert.equal(tokens.claims()!.nonce, nonce);
  });
});

describe('request objects refused', () => {
  test('signed with another client key', async () => {
    redirectedError(
      await authorize({ client_id: jar.clientId, request: await signed(jar, base(), { key: otherKey }) }),
      'invalid_request_object',
    );
  });

  test('expired', async () => {
    const exp = Math.floor(Date.now() / 1000) - 120;
    redirectedError(await authorize({ client_id: jar.clientId, request: await signed(jar, base(), { exp }) }), 'invalid_request_object');
  });

  test('aud is not this issuer', async () => {
    redirectedError(
      await authorize({ client_id: jar.clientId, request: await signed(jar, base(), { aud: srv.issuer('globex') }) }),
      'invalid_request_object',
    );
  });

  test('iss or client_id that is not the client', async () => {
    redirectedError(
      await authorize({ client_id: jar.clientId, request: await signed(jar, base({ client_id: 'someone-else' })) }),
      'invalid_request_object',
    );
  });

  test('alg none from a client that did not register it; accepted from one that did', async () => {
    redirectedError(
      await authorize({ client_id: jar.clientId, request: unsecured({ client_id: jar.clientId, ...base() }) }),
      'request_not_supported',
    );
    accepted(await authorize({ client_id: unsigned.clientId, request: unsecured({ client_id: unsigned.clientId, ...base() }) }));
    // A client that registered none sends only unsigned objects (OIDC Registration 2).
    redirectedError(await authorize({ client_id: unsigned.clientId, request: await signed(unsigned, base()) }), 'invalid_request_object');
  });

  test('HS256 with the client secret; the registered algorithm is the only one accepted', async () => {
    const secret = new TextEncoder().encode(hmac.clientSecret!);
    accepted(await authorize({ client_id: hmac.clientId, request: await signed(hmac, base(), { key: secret, alg: 'HS256' }) }));
    redirectedError(
      await authorize({
        client_id: hmac.clientId,
        request: await signed(hmac, base(), { key: new TextEncoder().encode('not-the-secret-0123456789abcdef!!'), alg: 'HS256' }),
      }),
      'invalid_request_object',
    );
    redirectedError(await authorize({ client_id: hmac.clientId, request: await signed(hmac, base()) }), 'invalid_request_object');
  });

  test('not a JWT; request and request_uri together', async () => {
    redirectedError(
      await authorize({ client_id: jar.clientId, redirect_uri: RP, state: 'st-obj', request: 'not-a-jwt' }),
      'invalid_request_object',
    );
    redirectedError(
      await authorize({
        client_id: jar.clientId,
        redirect_uri: RP,
        state: 'st-obj',
        request: await signed(jar, base()),
        request_uri: `${docs.url}/req/jar`,
      }),
      'invalid_request',
    );
  });

  test('the object wins over outer parameters; response_type must agree', async () => {
    // Outer state and scope are replaced by the object's (OIDC Core 6.3.3).
    const p = redirectedError(
      await authorize({
        client_id: jar.clientId,
        state: 'outer',
        scope: 'openid',
        request: await signed(jar, base({ prompt: 'none', state: 'inner' })),
      }),
      'login_required',
      'inner',
    );
    assert.equal(p.get('error'), 'login_required');
    redirectedError(
      await authorize({ client_id: jar.clientId, response_type: 'id_token', request: await signed(jar, base()) }),
      'invalid_request_object',
    );
  });
});

describe('request_uri refused', () => {
  const outer = { redirect_uri: RP, response_type: 'code', scope: 'openid', state: 'st-obj' };

  test('not registered for the client: an error page without a trusted redirect_uri, else a redirect', async () => {
    // This client registered two redirect URIs and the request names none: nowhere safe to answer.
    const page = await authorize({ client_id: fx.web.clientId, request_uri: `${docs.url}/req/elsewhere` });
    assert.equal(page.status, 400);
    assert.equal(page.headers.get('location'), null);
    assert.ok(page.body.includes('invalid_request_uri'));
    redirectedError(
      await authorize({ client_id: jar.clientId, ...outer, request_uri: `${docs.url}/req/elsewhere` }),
      'invalid_request_uri',
    );
    assert.equal(docs.hits.get('/req/elsewhere'), undefined, 'an unregistered request_uri is never fetched');
  });

  test('an internal address', async () => {
    redirectedError(await authorize({ client_id: jar.clientId, ...outer, request_uri: 'https://10.0.0.1/req.jwt' }), 'invalid_request_uri');
  });

  test('too big', async () => {
    docs.huge('/big', 512 * 1024);
    redirectedError(await authorize({ client_id: jar.clientId, ...outer, request_uri: `${docs.url}/big` }), 'invalid_request_uri');
  });

  test('no answer in time', async () => {
    docs.hang('/slow');
    redirectedError(await authorize({ client_id: jar.clientId, ...outer, request_uri: `${docs.url}/slow` }), 'invalid_request_uri');
  });
});

describe('errors in the response_mode the object asks for', () => {
  function formPostError(page: Page, code: string, state: string): void {
    assert.equal(page.status, 200, page.body.slice(0, 300));
    const form = parseForms(page.body, page.url).find((f) => f.action === RP);
    assert.ok(form, 'an auto-submitting form to the redirect URI');
    assert.equal(form.fields.error, code);
    assert.equal(form.fields.state, state);
    assert.equal(form.fields.iss, srv.issuer('acme'));
  }

  test('an error about the object itself (bad signature) goes back in form_post', async () => {
    const request = await signed(jar, base({ response_mode: 'form_post', state: 'fp-1' }), { key: otherKey });
    formPostError(await authorize({ client_id: jar.clientId, request }), 'invalid_request_object', 'fp-1');
  });

  test('an error about the request inside a valid object goes back in form_post', async () => {
    const request = await signed(jar, base({ response_mode: 'form_post', state: 'fp-2', prompt: 'none' }));
    formPostError(await authorize({ client_id: jar.clientId, response_type: 'code', request }), 'login_required', 'fp-2');
  });

  test('an object naming an unregistered redirect_uri gets an error page, never a redirect', async () => {
    const request = await signed(jar, base({ response_mode: 'form_post', redirect_uri: 'https://evil.example/cb' }), { key: otherKey });
    const page = await authorize({ client_id: jar.clientId, request });
    assert.equal(page.status, 400);
    assert.ok(!page.body.includes('evil.example'));
  });
});

describe('admin API', () => {
  test('requestUris and requestObjectSigningAlg round-trip and are validated', async () => {
    const data = await gqlOk<{ client: { requestUris: string[]; requestObjectSigningAlg: string | null } }>(
      srv,
      `query($id: String!) { client(tenant: "acme", clientId: $id) { requestUris requestObjectSigningAlg } }`,
      { id: unsigned.clientId },
    );
    assert.deepEqual(data.client.requestUris, []);
    assert.equal(data.client.requestObjectSigningAlg, 'none');
    await assert.rejects(
      createClient(srv, 'acme', { name: 'bad', clientType: 'CONFIDENTIAL', redirectUris: [RP], requestObjectSigningAlg: 'XS999' }),
      /BAD_USER_INPUT|requestObjectSigningAlg/,
    );
    await assert.rejects(
      createClient(srv, 'acme', { name: 'bad', clientType: 'PUBLIC', redirectUris: [RP], requestObjectSigningAlg: 'HS256' }),
      /requestObjectSigningAlg/,
    );
  });

  test('switching a client to HS256 request objects takes effect with the next secret rotation', async () => {
    const c = await createClient(srv, 'acme', { name: 'Switches to HS256', clientType: 'CONFIDENTIAL', redirectUris: [RP], scopes });
    await gqlOk(
      srv,
      'mutation($c: String!) { updateClient(tenant: "acme", clientId: $c, input: { requestObjectSigningAlg: "HS256" }) { clientId } }',
      { c: c.clientId },
    );
    const old = new TextEncoder().encode(c.clientSecret!);
    redirectedError(
      await authorize({ client_id: c.clientId, request: await signed(c, base(), { key: old, alg: 'HS256' }) }),
      'invalid_request_object',
    );
    const rotated = await gqlOk<{ rotateClientSecret: { clientSecret: string } }>(
      srv,
      'mutation($c: String!) { rotateClientSecret(tenant: "acme", clientId: $c) { clientSecret } }',
      { c: c.clientId },
    );
    const fresh = new TextEncoder().encode(rotated.rotateClientSecret.clientSecret);
    accepted(await authorize({ client_id: c.clientId, request: await signed(c, base(), { key: fresh, alg: 'HS256' }) }));
  });
});

describe('tenant setting requireRequestUriRegistration', () => {
  test('false: any public request_uri is fetched, and discovery says so', async () => {
    const set = (v: boolean | null) =>
      gqlOk(
        srv,
        'mutation($v: Boolean) { updateTenant(slug: "acme", input: { settings: { requireRequestUriRegistration: $v } }) { settings { requireRequestUriRegistration } } }',
        { v },
      );
    await set(false);
    try {
      const meta = (await (await fetch(`${srv.issuer('acme')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(meta.require_request_uri_registration, false);
      docs.serve('/req/unregistered', await signed(jar, base()));
      accepted(await authorize({ client_id: jar.clientId, request_uri: `${docs.url}/req/unregistered` }));
      // Still never an internal address.
      redirectedError(
        await authorize({ client_id: jar.clientId, redirect_uri: RP, state: 'st-obj', request_uri: 'https://169.254.169.254/latest' }),
        'invalid_request_uri',
      );
    } finally {
      await set(null);
    }
    const meta = (await (await fetch(`${srv.issuer('acme')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.require_request_uri_registration, true);
  });
});

describe('tenant setting allowUnsignedRequestObjects', () => {
  const set = (v: boolean | null) =>
    gqlOk<{ updateTenant: { settings: { allowUnsignedRequestObjects: boolean } } }>(
      srv,
      'mutation($v: Boolean) { updateTenant(slug: "acme", input: { settings: { allowUnsignedRequestObjects: $v } }) { settings { allowUnsignedRequestObjects } } }',
      { v },
    );

  test('default (off): an unsigned object from a client without a registered algorithm is refused, by value and by reference', async () => {
    const data = await gqlOk<{ tenant: { settings: { allowUnsignedRequestObjects: boolean } } }>(
      srv,
      'query { tenant(slug: "acme") { settings { allowUnsignedRequestObjects } } }',
    );
    assert.equal(data.tenant.settings.allowUnsignedRequestObjects, false);
    redirectedError(
      await authorize({ client_id: jar.clientId, request: unsecured({ client_id: jar.clientId, ...base() }) }),
      'request_not_supported',
    );
    docs.serve('/req/jar', unsecured({ client_id: jar.clientId, ...base() }));
    redirectedError(await authorize({ client_id: jar.clientId, request_uri: `${docs.url}/req/jar` }), 'request_not_supported');
  });

  test('on: unsigned by reference from a client without a registered algorithm succeeds end to end; a registered RS256 is never downgraded', async () => {
    // What the conformance suite's oidcc-request-uri-unsigned registers: request_uris, no request_object_signing_alg.
    const plain = await createClient(srv, 'acme', {
      name: 'Conformance-like client',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      grantTypes: ['authorization_code'],
      responseTypes: ['code'],
      scopes,
      requestUris: [`${docs.url}/req/plain`],
    });
    const pinned = await createClient(srv, 'acme', {
      name: 'RS256 objects only',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      grantTypes: ['authorization_code'],
      responseTypes: ['code'],
      scopes,
      requestObjectSigningAlg: 'RS256',
      jwks: { keys: [{ ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid: KID, alg: 'RS256' }] },
    });
    assert.equal((await set(true)).updateTenant.settings.allowUnsignedRequestObjects, true);
    try {
      const config = await oidc.discovery(
        new URL(srv.issuer('acme')),
        plain.clientId,
        { redirect_uris: [RP] },
        oidc.ClientSecretBasic(plain.clientSecret!),
        { execute: [oidc.allowInsecureRequests] },
      );
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const object = unsecured({
        client_id: plain.clientId,
        ...base({ scope: 'openid', state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier) }),
      });
      docs.serve('/req/plain', object, { type: 'application/oauth-authz-req+jwt' });
      const url = `${srv.issuer('acme')}/authorize?${new URLSearchParams({ client_id: plain.clientId, request_uri: `${docs.url}/req/plain` })}`;
      const end = await runFlow(new Browser(), url, { username: 'alice', password: PASSWORD, consent: 'allow' });
      assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
      const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      assert.equal(tokens.claims()!.aud, plain.clientId);
      assert.equal(tokens.claims()!.nonce, nonce);

      // A client that registered RS256 still gets nothing unsigned.
      redirectedError(
        await authorize({ client_id: pinned.clientId, request: unsecured({ client_id: pinned.clientId, ...base() }) }),
        'request_not_supported',
      );
      // A client that registered none keeps working.
      accepted(await authorize({ client_id: unsigned.clientId, request: unsecured({ client_id: unsigned.clientId, ...base() }) }));
    } finally {
      await set(null);
    }
  });
});
