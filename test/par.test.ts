import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { takePushedRequest } from '../src/pushed-requests/index.js';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk, type CreatedClient } from './helpers/admin.js';
import { PASSWORD, RP } from './helpers/authorize-fixture.js';
import { Browser, responseParams, runFlow, type Page } from './helpers/browser-fetch.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Pushed Authorization Requests (RFC 9126) and signed request objects at PAR (RFC 9101),
 * driven by openid-client 6 (buildAuthorizationUrlWithPAR, with and without JAR), and
 * what an attacker tries: a replayed request_uri, one pushed by another client, an
 * expired one, a request object signed with another client's key or with alg none.
 */
let srv: TestServer;
let web: CreatedClient;
let other: CreatedClient;
let jar: CreatedClient;
let strict: CreatedClient;
let key: CryptoKey;
let otherKey: CryptoKey;
const T = 'parbank';
const KID = 'par-rp-1';

before(async () => {
  srv = await startTestServer({ label: 'par' });
  await createTenant(srv, T, 'PAR Bank');
  const mine = await generateKeyPair('ES256');
  const theirs = await generateKeyPair('ES256');
  key = mine.privateKey;
  otherKey = theirs.privateKey;
  const pub = { ...(await exportJWK(mine.publicKey)), kid: KID, alg: 'ES256' };
  const otherPub = { ...(await exportJWK(theirs.publicKey)), kid: 'other', alg: 'ES256' };
  const scopes = ['openid', 'profile'];
  [web, other, jar, strict] = await Promise.all([
    createClient(srv, T, { name: 'Web', clientType: 'CONFIDENTIAL', redirectUris: [RP], scopes, requireConsent: false }),
    createClient(srv, T, { name: 'Other', clientType: 'CONFIDENTIAL', redirectUris: [RP], scopes, jwks: { keys: [otherPub] } }),
    createClient(srv, T, {
      name: 'JAR',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes,
      requireConsent: false,
      jwks: { keys: [pub] },
    }),
    createClient(srv, T, {
      name: 'Strict',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      scopes,
      requireConsent: false,
      jwks: { keys: [pub] },
      requirePushedAuthorizationRequests: true,
      requireSignedRequestObject: true,
    }),
  ]);
  await createUser(srv, T, 'alice', PASSWORD);
});
after(async () => {
  await srv?.close();
});

const rp = (client: CreatedClient): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(srv.issuer(T)), client.clientId, { redirect_uris: [RP] }, oidc.ClientSecretBasic(client.clientSecret!), {
    execute: [oidc.allowInsecureRequests],
  });

const basic = (c: CreatedClient): string => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

/** A raw PAR call (client_secret_basic unless the body authenticates). */
async function push(
  client: CreatedClient | null,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${srv.issuer(T)}/par`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(client ? { authorization: basic(client) } : {}) },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const codeRequest = (extra: Record<string, string> = {}): Record<string, string> => ({
  response_type: 'code',
  redirect_uri: RP,
  scope: 'openid',
  state: 'st-par',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
  ...extra,
});

const authorize = (params: Record<string, string>): Promise<Page> =>
  new Browser().request(`${srv.issuer(T)}/authorize?${new URLSearchParams(params)}`);

/** The error page the authorization endpoint shows when it has nowhere safe to redirect. */
function errorPage(page: Page, code: string): void {
  assert.equal(page.status, 400, page.body.slice(0, 300));
  assert.match(page.body, new RegExp(`<strong>${code}</strong>`));
}

function redirectedError(page: Page, code: string): URLSearchParams {
  assert.equal(page.status, 303, `expected a redirect, got ${page.status}: ${page.body.slice(0, 300)}`);
  const p = responseParams(page.headers.get('location')!);
  assert.equal(p.get('error'), code);
  assert.equal(p.get('iss'), srv.issuer(T));
  return p;
}

/** A request object of `client` (iss, aud, short exp), ES256. */
const sign = (claims: Record<string, unknown>, signingKey: CryptoKey = key, kid = KID, client: CreatedClient = jar): Promise<string> =>
  new SignJWT({ client_id: client.clientId, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'oauth-authz-req+jwt' })
    .setIssuer(client.clientId)
    .setAudience(srv.issuer(T))
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(signingKey);

describe('PAR with openid-client', () => {
  test('discovery announces the endpoint; signed objects and PAR are not required by default', async () => {
    const meta = (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.pushed_authorization_request_endpoint, `${srv.issuer(T)}/par`);
    assert.equal(meta.require_pushed_authorization_requests, false);
    assert.equal(meta.require_signed_request_object, false);
  });

  test('buildAuthorizationUrlWithPAR: login, code, tokens; the URL carries only client_id and request_uri', async () => {
    const config = await rp(web);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: RP,
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    // The request sealed into the URN (pushed-requests/index.ts): base64url, never the parameters in clear.
    const requestUri = url.searchParams.get('request_uri')!;
    assert.match(requestUri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43,2048}$/);
    assert.ok(!requestUri.includes(state) && !requestUri.includes(nonce));
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    assert.equal(tokens.claims()!.aud, web.clientId);
    assert.equal(tokens.claims()!.nonce, nonce);
  });

  test('JAR pushed to PAR (buildAuthorizationUrlWithJAR then WithPAR) completes the flow', async () => {
    const config = await rp(jar);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const withJar = await oidc.buildAuthorizationUrlWithJAR(
      config,
      {
        redirect_uri: RP,
        scope: 'openid',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      },
      { key, kid: KID },
    );
    const url = await oidc.buildAuthorizationUrlWithPAR(config, withJar.searchParams);
    const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const tokens = await oidc.authorizationCodeGrant(config, new URL((end as { url: string }).url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.equal(tokens.claims()!.aud, jar.clientId);
  });
});

describe('the PAR endpoint', () => {
  test('201 with a request_uri URN, expires_in 60 and no-store', async () => {
    const res = await fetch(`${srv.issuer(T)}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(web) },
      body: new URLSearchParams(codeRequest()),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { request_uri: string; expires_in: number };
    assert.ok(body.request_uri.startsWith('urn:ietf:params:oauth:request_uri:'));
    assert.equal(body.expires_in, 60);
  });

  test('client authentication as at the token endpoint: none, a wrong secret, client_secret_post', async () => {
    assert.equal((await push(null, { ...codeRequest(), client_id: web.clientId })).body.error, 'invalid_client');
    const wrong = await push({ clientId: web.clientId, clientSecret: 'wrong' }, codeRequest());
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    const post = await push(null, { ...codeRequest(), client_id: web.clientId, client_secret: web.clientSecret! });
    assert.equal(post.status, 401, 'the client registered client_secret_basic');
  });

  test('pushed parameters are validated like the authorization endpoint does, answered as JSON', async () => {
    const cases: [Record<string, string>, string][] = [
      [codeRequest({ redirect_uri: 'https://evil.example/cb' }), 'invalid_request'],
      [codeRequest({ response_type: 'id_token', nonce: 'n' }), 'unauthorized_client'],
      [codeRequest({ scope: 'openid', code_challenge_method: 'plain' }), 'invalid_request'],
      [codeRequest({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' }), 'invalid_request'],
      [codeRequest({ client_id: other.clientId }), 'invalid_request'],
    ];
    for (const [params, code] of cases) {
      const r = await push(web, params);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, code, JSON.stringify(params));
    }
  });

  test('GET is 405', async () => {
    assert.equal((await fetch(`${srv.issuer(T)}/par`)).status, 405);
  });
});

describe('request_uri at the authorization endpoint', () => {
  test('only client_id and request_uri count: other front-channel parameters are ignored', async () => {
    const { body } = await push(web, codeRequest({ state: 'pushed-state' }));
    const page = await authorize({
      client_id: web.clientId,
      request_uri: body.request_uri as string,
      redirect_uri: 'https://evil.example/cb',
      state: 'forged',
      prompt: 'none',
    });
    // prompt=none from the front channel is ignored: no session, yet we get the login page, not login_required.
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location')!, /\/interaction\//);
  });

  test('a replayed request_uri is refused (single use)', async () => {
    const { body } = await push(web, codeRequest());
    const first = await authorize({ client_id: web.clientId, request_uri: body.request_uri as string });
    assert.equal(first.status, 303);
    errorPage(await authorize({ client_id: web.clientId, request_uri: body.request_uri as string }), 'invalid_request_uri');
  });

  test('a request_uri presented with another client_id is refused and stays usable by its own client', async () => {
    const { body } = await push(web, codeRequest());
    errorPage(await authorize({ client_id: other.clientId, request_uri: body.request_uri as string }), 'invalid_request_uri');
    const own = await authorize({ client_id: web.clientId, request_uri: body.request_uri as string });
    assert.equal(own.status, 303);
    assert.match(own.headers.get('location')!, /\/interaction\//);
  });

  test('an expired request_uri is refused (store checked past expires_in)', async () => {
    const { body } = await push(web, codeRequest());
    const tenant = (await srv.rt.tenants.get(T))!;
    const later = new Date(Date.now() + 61_000);
    assert.equal(await takePushedRequest(srv.rt, tenant, web.clientId, body.request_uri as string, later), null);
    // Not taken by the expired attempt: it is still good now, once.
    assert.ok(await takePushedRequest(srv.rt, tenant, web.clientId, body.request_uri as string));
    errorPage(await authorize({ client_id: web.clientId, request_uri: body.request_uri as string }), 'invalid_request_uri');
  });

  test('pushing stores nothing; only the use is stored, once; an altered request_uri is refused', async () => {
    const used = srv.db.collection('pushed_requests');
    const before = await used.countDocuments({});
    const { body } = await push(web, codeRequest());
    assert.equal(await used.countDocuments({}), before, 'a push writes nothing');
    const uri = body.request_uri as string;
    // One character changed in the sealed request: it no longer opens.
    const last = uri.at(-2) === 'A' ? 'B' : 'A';
    errorPage(await authorize({ client_id: web.clientId, request_uri: `${uri.slice(0, -2)}${last}${uri.at(-1)}` }), 'invalid_request_uri');
    assert.equal((await authorize({ client_id: web.clientId, request_uri: uri })).status, 303);
    // What is stored is that it was used, by the hash of the reference, without the parameters.
    const hash = createHash('sha256').update(uri.slice('urn:ietf:params:oauth:request_uri:'.length)).digest('base64url');
    const record = await used.findOne({ _id: hash as never });
    assert.ok(record?.usedAt);
    assert.ok(!JSON.stringify(record).includes('st-par'), 'the used record carries no parameters');
    errorPage(await authorize({ client_id: web.clientId, request_uri: uri }), 'invalid_request_uri');
  });

  test('a request too large to seal into a URI is stored by hash, and is single use as well', async () => {
    const used = srv.db.collection('pushed_requests');
    const before = await used.countDocuments({});
    const { status, body } = await push(web, codeRequest({ state: 'x'.repeat(1800) }));
    assert.equal(status, 201, JSON.stringify(body));
    assert.match(body.request_uri as string, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    assert.equal(await used.countDocuments({}), before + 1);
    assert.equal((await authorize({ client_id: web.clientId, request_uri: body.request_uri as string })).status, 303);
    errorPage(await authorize({ client_id: web.clientId, request_uri: body.request_uri as string }), 'invalid_request_uri');
  });

  test('an unknown request_uri URN is refused', async () => {
    errorPage(
      await authorize({ client_id: web.clientId, request_uri: 'urn:ietf:params:oauth:request_uri:bm90LWlzc3VlZC1ieS11cw' }),
      'invalid_request_uri',
    );
  });
});

describe('request objects at PAR', () => {
  test('an object signed with another client key is invalid_request_object', async () => {
    const request = await sign(codeRequest(), otherKey, 'other');
    const r = await push(jar, { client_id: jar.clientId, request });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_request_object');
  });

  test('an alg none object is refused', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const request = `${enc({ alg: 'none' })}.${enc({ client_id: jar.clientId, iss: jar.clientId, aud: srv.issuer(T), ...codeRequest() })}.`;
    const r = await push(jar, { client_id: jar.clientId, request });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'request_not_supported');
  });
});

describe('require_pushed_authorization_requests and require_signed_request_object', () => {
  test('a client that requires both: plain authorize and unsigned PAR refused; signed PAR accepted', async () => {
    const plain = await authorize({ client_id: strict.clientId, ...codeRequest() });
    assert.match(redirectedError(plain, 'invalid_request').get('error_description')!, /pushed/);
    const unsignedPush = await push(strict, codeRequest());
    assert.equal(unsignedPush.body.error, 'invalid_request_object');
    // By value at the authorization endpoint: signed, but not pushed.
    const byValue = await sign(codeRequest(), key, KID, strict);
    redirectedError(await authorize({ client_id: strict.clientId, request: byValue }), 'invalid_request');
  });

  test('a signed object pushed by the strict client is accepted', async () => {
    const request = await sign(codeRequest(), key, KID, strict);
    const r = await push(strict, { request });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const page = await authorize({ client_id: strict.clientId, request_uri: r.body.request_uri as string });
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location')!, /\/interaction\//);
  });

  test('client metadata round trip (GraphQL) and registration names', async () => {
    const data = await gqlOk<{ client: { requirePushedAuthorizationRequests: boolean; requireSignedRequestObject: boolean } }>(
      srv,
      `{ client(tenant: "${T}", clientId: "${strict.clientId}") { requirePushedAuthorizationRequests requireSignedRequestObject } }`,
    );
    assert.deepEqual(data.client, { requirePushedAuthorizationRequests: true, requireSignedRequestObject: true });
    const updated = await gqlOk<{ updateClient: { requireSignedRequestObject: boolean; requirePushedAuthorizationRequests: boolean } }>(
      srv,
      `mutation { updateClient(tenant: "${T}", clientId: "${web.clientId}", input: { requireSignedRequestObject: true }) { requireSignedRequestObject requirePushedAuthorizationRequests } }`,
    );
    assert.deepEqual(updated.updateClient, { requireSignedRequestObject: true, requirePushedAuthorizationRequests: false });
    await gqlOk(
      srv,
      `mutation { updateClient(tenant: "${T}", clientId: "${web.clientId}", input: { requireSignedRequestObject: null }) { clientId } }`,
    );
  });

  test('tenant settings: requirePushedAuthorizationRequests announced and enforced; PAR switched off disappears', async () => {
    const set = (input: string) => gqlOk(srv, `mutation { updateTenant(slug: "${T}", input: { settings: { ${input} } }) { slug } }`);
    const meta = async () => (await (await fetch(`${srv.issuer(T)}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    try {
      await set('requirePushedAuthorizationRequests: true, requireSignedRequestObject: true');
      const m = await meta();
      assert.equal(m.require_pushed_authorization_requests, true);
      assert.equal(m.require_signed_request_object, true);
      redirectedError(await authorize({ client_id: web.clientId, ...codeRequest() }), 'invalid_request');
      await set('requirePushedAuthorizationRequests: null, requireSignedRequestObject: null, pushedAuthorizationRequests: false');
      const off = await meta();
      assert.equal(off.pushed_authorization_request_endpoint, undefined);
      assert.equal(off.require_pushed_authorization_requests, undefined);
      const r = await push(web, codeRequest());
      assert.equal(r.status, 404);
      const page = await authorize({ client_id: web.clientId, ...codeRequest() });
      assert.equal(page.status, 303, 'plain requests work again');
    } finally {
      await set('pushedAuthorizationRequests: null, requirePushedAuthorizationRequests: null, requireSignedRequestObject: null');
    }
  });

  test('a bad setting value is refused with a GraphQL error code', async () => {
    const token = await adminToken(srv);
    const r = await gql(
      srv,
      `mutation { updateTenant(slug: "${T}", input: { settings: { securityProfile: FAPI3 } }) { slug } }`,
      {},
      token,
    );
    assert.equal(r.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const ok = await gqlOk<{ tenant: { settings: { securityProfile: string; pushedAuthorizationRequests: boolean } } }>(
      srv,
      `{ tenant(slug: "${T}") { settings { securityProfile pushedAuthorizationRequests } } }`,
    );
    assert.deepEqual(ok.tenant.settings, { securityProfile: 'DEFAULT', pushedAuthorizationRequests: true });
  });
});
