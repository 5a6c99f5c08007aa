import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { createClient, createTenant, createUser, type CreatedClient } from './helpers/admin.js';
import { Browser, responseParams, runFlow } from './helpers/browser-fetch.js';
import { issueCode } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Authorization code binding to a DPoP key (RFC 9449 10, 10.1), with openid-client 6 as
 * the client and the login driven over real HTTP: `dpop_jkt` at the authorization
 * endpoint, a DPoP proof (and `dpop_jkt`) at PAR, server nonces at PAR, and what an
 * attacker who took the code from the front channel tries: no proof, a proof of another
 * key (refused, and the code stays redeemable by its holder).
 */
let srv: TestServer;
let web: CreatedClient;
let spa: CreatedClient;
let nonceWeb: CreatedClient;
let plainWeb: CreatedClient;
let unsignedWeb: CreatedClient;
let aliceId: string;

const T = 'jktco';
const RP = 'https://rp.example.com/cb';
const PASSWORD = 'correct horse battery staple';

type KeyPair = { privateKey: CryptoKey; publicKey: CryptoKey };
const newKey = (): Promise<KeyPair> => generateKeyPair('ES256', { extractable: true });
const thumbprint = async (k: KeyPair): Promise<string> => calculateJwkThumbprint(await exportJWK(k.publicKey), 'sha256');

before(async () => {
  srv = await startTestServer({ label: 'dpop-jkt' });
  await Promise.all([
    createTenant(srv, T, 'JKT Co'),
    createTenant(srv, 'jktnonce', 'JKT Nonce', { settings: { dpopNonce: true } }),
    createTenant(srv, 'jktplain', 'JKT Plain', { settings: { dpop: false } }),
  ]);
  const base = { redirectUris: [RP], requireConsent: false, scopes: ['openid', 'profile'] };
  [web, spa, nonceWeb, plainWeb, unsignedWeb] = await Promise.all([
    createClient(srv, T, { name: 'Web', clientType: 'CONFIDENTIAL', ...base }),
    createClient(srv, T, { name: 'SPA', clientType: 'PUBLIC', ...base }),
    createClient(srv, 'jktnonce', { name: 'Web', clientType: 'CONFIDENTIAL', ...base }),
    createClient(srv, 'jktplain', { name: 'Web', clientType: 'CONFIDENTIAL', ...base }),
    createClient(srv, T, { name: 'Unsigned objects', clientType: 'CONFIDENTIAL', ...base, requestObjectSigningAlg: 'none' }),
  ]);
  [aliceId] = await Promise.all([
    createUser(srv, T, 'alice', PASSWORD),
    createUser(srv, 'jktnonce', 'alice', PASSWORD),
    createUser(srv, 'jktplain', 'alice', PASSWORD),
  ]);
});
after(async () => {
  await srv?.close();
});

const config = (slug: string, c: CreatedClient): Promise<oidc.Configuration> =>
  oidc.discovery(
    new URL(srv.issuer(slug)),
    c.clientId,
    { redirect_uris: [RP] },
    c.clientSecret ? oidc.ClientSecretBasic(c.clientSecret) : oidc.None(),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );

interface Login {
  cfg: oidc.Configuration;
  callback: URL;
  verifier: string;
  state: string;
}

/** An authorization request (front channel, or pushed with `par`), login over HTTP; the callback URL with the code. */
async function login(slug: string, c: CreatedClient, extra: Record<string, string> = {}, par?: { DPoP?: oidc.DPoPHandle }): Promise<Login> {
  const cfg = await config(slug, c);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params = {
    redirect_uri: RP,
    scope: 'openid',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  };
  const url = par ? await oidc.buildAuthorizationUrlWithPAR(cfg, params, par) : oidc.buildAuthorizationUrl(cfg, params);
  const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD });
  assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
  return { cfg, callback: new URL((end as { url: string }).url), verifier, state };
}

const redeem = (l: Login, DPoP?: oidc.DPoPHandle) =>
  oidc.authorizationCodeGrant(l.cfg, l.callback, { pkceCodeVerifier: l.verifier, expectedState: l.state }, undefined, DPoP ? { DPoP } : {});

const refusedWith = (code: string) => (err: oidc.ResponseBodyError) => {
  assert.equal(err.error, code, err.message);
  return true;
};

/** The parameters of a pushed request whose code is never redeemed (the PAR answer is what is tested). */
async function pushedParams(): Promise<Record<string, string>> {
  const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
  return { redirect_uri: RP, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' };
}

/** A hand-made token request: for what openid-client never sends (a bound code without a proof). */
async function rawRedeem(slug: string, c: CreatedClient, l: Login, key?: KeyPair): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
  };
  if (key) headers.dpop = await proof(key, `${srv.issuer(slug)}/token`);
  return fetch(`${srv.issuer(slug)}/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: l.callback.searchParams.get('code')!,
      redirect_uri: RP,
      code_verifier: l.verifier,
    }),
  });
}

function proof(k: KeyPair, htu: string): Promise<string> {
  return exportJWK(k.publicKey).then((jwk) =>
    new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), htm: 'POST', htu })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(k.privateKey),
  );
}

describe('dpop_jkt at the authorization endpoint', () => {
  test('a bound code with a proof of that key: 200, a DPoP token bound to the key', async () => {
    const key = await newKey();
    const jkt = await thumbprint(key);
    const l = await login(T, web, { dpop_jkt: jkt });
    const tokens = await redeem(l, oidc.getDPoPHandle(l.cfg, key));
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
  });

  test('a bound code without a proof, then with another key: invalid_grant, and the code is not spent', async () => {
    const key = await newKey();
    const l = await login(T, web, { dpop_jkt: await thumbprint(key) });
    const bare = await rawRedeem(T, web, l);
    assert.equal(bare.status, 400);
    assert.equal(((await bare.json()) as Record<string, unknown>).error, 'invalid_grant');
    await assert.rejects(redeem(l, oidc.getDPoPHandle(l.cfg, await newKey())), refusedWith('invalid_grant'));
    // The holder of the key still redeems it: the refusals above spent nothing.
    const tokens = await redeem(l, oidc.getDPoPHandle(l.cfg, key));
    assert.equal(tokens.token_type, 'dpop');
    // And only once.
    await assert.rejects(redeem(l, oidc.getDPoPHandle(l.cfg, key)), refusedWith('invalid_grant'));
  });

  test('a public client: the bound code gives a DPoP token only with the key', async () => {
    const key = await newKey();
    const l = await login(T, spa, { dpop_jkt: await thumbprint(key) });
    await assert.rejects(redeem(l), refusedWith('invalid_grant'));
    const tokens = await redeem(l, oidc.getDPoPHandle(l.cfg, key));
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await thumbprint(key) });
  });

  test('a malformed dpop_jkt is invalid_request, redirected to the trusted redirect URI', async () => {
    for (const bad of ['short', `${'a'.repeat(42)}=`, 'a'.repeat(44), `${'a'.repeat(42)}+`]) {
      const params = new URLSearchParams({
        client_id: web.clientId,
        response_type: 'code',
        redirect_uri: RP,
        scope: 'openid',
        state: 'st-jkt',
        dpop_jkt: bad,
      });
      const page = await new Browser().request(`${srv.issuer(T)}/authorize?${params}`);
      assert.equal(page.status, 303, `${bad}: ${page.body.slice(0, 200)}`);
      const p = responseParams(page.headers.get('location')!);
      assert.equal(p.get('error'), 'invalid_request', bad);
      assert.equal(p.get('state'), 'st-jkt');
      assert.equal(p.get('iss'), srv.issuer(T));
    }
  });

  test('dpop_jkt inside a request object (RFC 9101) binds the code as the query parameter does', async () => {
    const key = await newKey();
    const cfg = await config(T, unsignedWeb);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = {
      iss: unsignedWeb.clientId,
      aud: srv.issuer(T),
      client_id: unsignedWeb.clientId,
      response_type: 'code',
      redirect_uri: RP,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      dpop_jkt: await thumbprint(key),
    };
    // Unsigned (alg none, which this client registered): what matters here is where dpop_jkt travels.
    const request = `${enc({ alg: 'none' })}.${enc(claims)}.`;
    const query = new URLSearchParams({ client_id: unsignedWeb.clientId, response_type: 'code', scope: 'openid', request });
    const end = await runFlow(new Browser(), `${srv.issuer(T)}/authorize?${query}`, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
    const l: Login = { cfg, callback: new URL((end as { url: string }).url), verifier, state };
    await assert.rejects(redeem(l), refusedWith('invalid_grant'));
    await assert.rejects(redeem(l, oidc.getDPoPHandle(cfg, await newKey())), refusedWith('invalid_grant'));
    const tokens = await redeem(l, oidc.getDPoPHandle(cfg, key));
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: claims.dpop_jkt });
  });

  test('without dpop_jkt nothing changes: a bearer token without a proof, a DPoP token with one', async () => {
    const bearer = await redeem(await login(T, web));
    assert.equal(bearer.token_type, 'bearer');
    assert.equal(decodeJwt(bearer.access_token).cnf, undefined);
    const l = await login(T, web);
    const bound = await redeem(l, oidc.getDPoPHandle(l.cfg, await newKey()));
    assert.equal(bound.token_type, 'dpop');
  });

  test('a stored (long) code carries the binding too', async () => {
    const key = await newKey();
    const jkt = await thumbprint(key);
    // A large claims request makes the sealed form too long for a redirect URL: the code is stored.
    const claims = { id_token: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`https://claims.example.com/c${i}`, null])) };
    const issued = await issueCode(srv, T, { clientId: web.clientId, userId: aliceId, claims, dpopJkt: jkt });
    assert.equal(issued.code.length, 43);
    const l: Login = { cfg: await config(T, web), callback: issued.callback, verifier: issued.verifier, state: '' };
    const bare = await rawRedeem(T, web, l);
    assert.equal(((await bare.json()) as Record<string, unknown>).error, 'invalid_grant');
    const other = await rawRedeem(T, web, l, await newKey());
    assert.equal(((await other.json()) as Record<string, unknown>).error, 'invalid_grant');
    const ok = await rawRedeem(T, web, l, key);
    const body = (await ok.json()) as Record<string, string>;
    assert.equal(ok.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(body.access_token!).cnf, { jkt });
  });

  test('a tenant with dpop off ignores dpop_jkt: the code is not bound', async () => {
    const l = await login('jktplain', plainWeb, { dpop_jkt: await thumbprint(await newKey()) });
    const tokens = await redeem(l);
    assert.equal(tokens.token_type, 'bearer');
  });
});

describe('DPoP at the PAR endpoint (RFC 9449 10.1)', () => {
  test('a proof at PAR binds the code to its key', async () => {
    const key = await newKey();
    const cfg = await config(T, web);
    const l = await login(T, web, {}, { DPoP: oidc.getDPoPHandle(cfg, key) });
    await assert.rejects(redeem(l, oidc.getDPoPHandle(l.cfg, await newKey())), refusedWith('invalid_grant'));
    const res = await rawRedeem(T, web, l);
    assert.equal(((await res.json()) as Record<string, unknown>).error, 'invalid_grant');
    const tokens = await redeem(l, oidc.getDPoPHandle(l.cfg, key));
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await thumbprint(key) });
  });

  test('dpop_jkt in the PAR body binds the code without a proof; with a proof of the same key it is accepted', async () => {
    const key = await newKey();
    const jkt = await thumbprint(key);
    const l = await login(T, web, { dpop_jkt: jkt }, {});
    await assert.rejects(redeem(l), refusedWith('invalid_grant'));
    assert.equal((await redeem(l, oidc.getDPoPHandle(l.cfg, key))).token_type, 'dpop');
    const cfg = await config(T, web);
    const both = await login(T, web, { dpop_jkt: jkt }, { DPoP: oidc.getDPoPHandle(cfg, key) });
    assert.equal((await redeem(both, oidc.getDPoPHandle(both.cfg, key))).token_type, 'dpop');
  });

  test('a proof and a dpop_jkt of another key: invalid_request, nothing pushed', async () => {
    const cfg = await config(T, web);
    const params = { ...(await pushedParams()), dpop_jkt: await thumbprint(await newKey()) };
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(cfg, params, { DPoP: oidc.getDPoPHandle(cfg, await newKey()) }),
      refusedWith('invalid_request'),
    );
  });

  test('a malformed dpop_jkt at PAR is invalid_request; an invalid proof is invalid_dpop_proof', async () => {
    const cfg = await config(T, web);
    const params = await pushedParams();
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(cfg, { ...params, dpop_jkt: 'not-a-thumbprint' }),
      refusedWith('invalid_request'),
    );
    // A proof for the token endpoint is not one for PAR (htu).
    const res = await fetch(`${srv.issuer(T)}/par`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}`,
        dpop: await proof(await newKey(), `${srv.issuer(T)}/token`),
      },
      body: new URLSearchParams({ client_id: web.clientId, response_type: 'code', ...params }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Record<string, unknown>).error, 'invalid_dpop_proof');
  });

  test('server nonces at PAR: use_dpop_nonce with a DPoP-Nonce, openid-client retries, the code is bound', async () => {
    const key = await newKey();
    const cfg = await config('jktnonce', nonceWeb);
    const params = new URLSearchParams({ client_id: nonceWeb.clientId, response_type: 'code', ...(await pushedParams()) });
    const first = await fetch(`${srv.issuer('jktnonce')}/par`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${nonceWeb.clientId}:${nonceWeb.clientSecret}`).toString('base64')}`,
        dpop: await proof(key, `${srv.issuer('jktnonce')}/par`),
      },
      body: params,
    });
    assert.equal(first.status, 400);
    assert.equal(((await first.json()) as Record<string, unknown>).error, 'use_dpop_nonce');
    assert.match(first.headers.get('dpop-nonce') ?? '', /^.{32}$/);
    const l = await login('jktnonce', nonceWeb, {}, { DPoP: oidc.getDPoPHandle(cfg, key) });
    await assert.rejects(redeem(l, oidc.getDPoPHandle(l.cfg, await newKey())), refusedWith('invalid_grant'));
    assert.equal((await redeem(l, oidc.getDPoPHandle(l.cfg, key))).token_type, 'dpop');
  });
});
