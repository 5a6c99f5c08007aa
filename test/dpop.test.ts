import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { requireAccessToken, type VerifiedAccessToken } from '../src/resource-server/index.js';
import { createClient, createTenant, createUser, gqlOk, type CreatedClient } from './helpers/admin.js';
import { Browser, runFlow } from './helpers/browser-fetch.js';
import { tenantOf } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * DPoP (RFC 9449) end to end with openid-client 6 as the client: client_credentials,
 * authorization_code and refresh with proofs, userinfo with the DPoP scheme, the server
 * nonce round trip, introspection's cnf, the resource-server middleware; and what an
 * attacker tries: a replayed proof, a proof for another URL or method, a stale one, a
 * wrong `ath`, a bound token presented as Bearer, a refresh with another key.
 */
let srv: TestServer;
let api: Server;
let apiUrl: string;
let machine: CreatedClient;
let strict: CreatedClient;
let opaque: CreatedClient;
let resourceServer: CreatedClient;
let spa: CreatedClient;
let nonceMachine: CreatedClient;

const RP = 'https://rp.example.com/cb';
const PASSWORD = 'correct horse battery staple';

type KeyPair = { privateKey: CryptoKey; publicKey: CryptoKey };
const newKey = (): Promise<KeyPair> => generateKeyPair('ES256', { extractable: true });
const thumbprint = async (k: KeyPair): Promise<string> => calculateJwkThumbprint(await exportJWK(k.publicKey), 'sha256');
const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** A hand-made proof, for the cases openid-client would never produce. */
async function proof(
  k: KeyPair,
  claims: { htm: string; htu: string; ath?: string; iat?: number; jti?: string; nonce?: string },
): Promise<string> {
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(k.publicKey) })
    .sign(k.privateKey);
}

async function config(slug: string, c: CreatedClient, redirect = false): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(srv.issuer(slug)),
    c.clientId,
    redirect ? { redirect_uris: [RP] } : {},
    c.clientSecret ? oidc.ClientSecretBasic(c.clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

const basic = (c: CreatedClient): string => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

async function tokenPost(slug: string, c: CreatedClient, body: Record<string, string>, dpop?: string): Promise<Response> {
  return fetch(`${srv.issuer(slug)}/token`, {
    method: 'POST',
    headers: {
      authorization: basic(c),
      'content-type': 'application/x-www-form-urlencoded',
      ...(dpop ? { dpop } : {}),
    },
    body: new URLSearchParams(body),
  });
}

async function userinfo(slug: string, authorization: string, dpop?: string): Promise<Response> {
  return fetch(`${srv.issuer(slug)}/userinfo`, { headers: { authorization, ...(dpop ? { dpop } : {}) } });
}

/** A DPoP-bound client_credentials token from openid-client, with its key. */
async function boundMachineToken(c = machine): Promise<{ token: string; key: KeyPair }> {
  const key = await newKey();
  const cfg = await config('dpopco', c);
  const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'api:read' }, { DPoP: oidc.getDPoPHandle(cfg, key) });
  return { token: tokens.access_token, key };
}

/** A code flow of the public client with DPoP: the browser logs in and consents, openid-client redeems with a proof. */
async function signInWithDpop(key: KeyPair) {
  const cfg = await config('dpopco', spa, true);
  const DPoP = oidc.getDPoPHandle(cfg, key);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: RP,
    scope: 'openid profile offline_access',
    prompt: 'consent',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD, consent: 'allow' });
  assert.equal(end.kind, 'redirect');
  const tokens = await oidc.authorizationCodeGrant(
    cfg,
    new URL((end as { url: string }).url),
    { pkceCodeVerifier: verifier, expectedState: state },
    undefined,
    { DPoP },
  );
  return { cfg, DPoP, tokens };
}

before(async () => {
  srv = await startTestServer({ label: 'dpop' });
  await createTenant(srv, 'dpopco', 'DPoP Co');
  await createTenant(srv, 'nonceco', 'Nonce Co', { settings: { dpopNonce: true } });
  await createTenant(srv, 'plainco', 'Plain Co', { settings: { dpop: false } });
  const cc = { clientType: 'CONFIDENTIAL', grantTypes: ['client_credentials'], scopes: ['api:read'] };
  [machine, strict, opaque, resourceServer, spa, nonceMachine] = await Promise.all([
    createClient(srv, 'dpopco', { name: 'Machine', ...cc }),
    createClient(srv, 'dpopco', { name: 'Strict', ...cc, dpopBoundAccessTokens: true }),
    createClient(srv, 'dpopco', { name: 'Opaque', ...cc, accessTokenFormat: 'OPAQUE' }),
    createClient(srv, 'dpopco', { name: 'Resource server', ...cc }),
    createClient(srv, 'dpopco', {
      name: 'SPA',
      clientType: 'PUBLIC',
      redirectUris: [RP],
      requireConsent: false,
      scopes: ['openid', 'profile', 'offline_access'],
    }),
    createClient(srv, 'nonceco', { name: 'Nonce machine', ...cc }),
  ]);
  await createUser(srv, 'dpopco', 'alice', PASSWORD, { name: 'Alice' });

  const issuer = srv.issuer('dpopco');
  const app = express();
  const echo = (_req: express.Request, res: express.Response) => res.json(res.locals.accessToken as VerifiedAccessToken);
  app.get('/read', requireAccessToken({ issuer, scopes: ['api:read'] }), echo);
  const introspection = { clientId: resourceServer.clientId, clientSecret: resourceServer.clientSecret! };
  app.get('/opaque', requireAccessToken({ issuer, scopes: ['api:read'], introspection }), echo);
  api = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => api.once('listening', () => resolve()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await srv?.close();
});

describe('discovery and settings', () => {
  test('dpop_signing_alg_values_supported is announced exactly when the tenant has dpop on', async () => {
    const on = (await (await fetch(`${srv.issuer('dpopco')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.ok(Array.isArray(on.dpop_signing_alg_values_supported));
    assert.ok((on.dpop_signing_alg_values_supported as string[]).includes('ES256'));
    assert.ok(!(on.dpop_signing_alg_values_supported as string[]).some((a) => a.startsWith('HS') || a === 'none'));
    const off = (await (await fetch(`${srv.issuer('plainco')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(off.dpop_signing_alg_values_supported, undefined);
  });

  test('the settings and the client metadata read back through GraphQL', async () => {
    const data = await gqlOk<{
      a: { settings: { dpop: boolean; dpopNonce: boolean } };
      b: { settings: { dpop: boolean; dpopNonce: boolean } };
    }>(
      srv,
      'query { a: tenant(slug: "dpopco") { settings { dpop dpopNonce } } b: tenant(slug: "nonceco") { settings { dpop dpopNonce } } }',
    );
    assert.deepEqual(data.a.settings, { dpop: true, dpopNonce: false });
    assert.deepEqual(data.b.settings, { dpop: true, dpopNonce: true });
    const c = await gqlOk<{ client: { dpopBoundAccessTokens: boolean } }>(
      srv,
      'query($id: String!) { client(tenant: "dpopco", clientId: $id) { dpopBoundAccessTokens } }',
      { id: strict.clientId },
    );
    assert.equal(c.client.dpopBoundAccessTokens, true);
  });

  test('a tenant with dpop off ignores proofs: bearer tokens', async () => {
    const plain = await createClient(srv, 'plainco', {
      name: 'Plain',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      scopes: ['api:read'],
    });
    const k = await newKey();
    const r = await tokenPost(
      'plainco',
      plain,
      { grant_type: 'client_credentials' },
      await proof(k, { htm: 'POST', htu: `${srv.issuer('plainco')}/token` }),
    );
    const body = (await r.json()) as Record<string, unknown>;
    assert.equal(r.status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(decodeJwt(body.access_token as string).cnf, undefined);
  });
});

describe('token endpoint', () => {
  test('client_credentials with openid-client: token_type DPoP and cnf.jkt of the key', async () => {
    const key = await newKey();
    const cfg = await config('dpopco', machine);
    const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'api:read' }, { DPoP: oidc.getDPoPHandle(cfg, key) });
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await thumbprint(key) });
  });

  test('without a proof the token is a bearer token; a client with dpop_bound_access_tokens must send one', async () => {
    const r = await tokenPost('dpopco', machine, { grant_type: 'client_credentials' });
    assert.equal(((await r.json()) as Record<string, unknown>).token_type, 'Bearer');
    const refused = await tokenPost('dpopco', strict, { grant_type: 'client_credentials' });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as Record<string, unknown>).error, 'invalid_dpop_proof');
    const k = await newKey();
    const ok = await tokenPost(
      'dpopco',
      strict,
      { grant_type: 'client_credentials' },
      await proof(k, { htm: 'POST', htu: `${srv.issuer('dpopco')}/token` }),
    );
    assert.equal(((await ok.json()) as Record<string, unknown>).token_type, 'DPoP');
  });

  test('refused proofs: replayed, another htu, another htm, stale iat, private key in jwk, several proofs', async () => {
    const k = await newKey();
    const htu = `${srv.issuer('dpopco')}/token`;
    const good = await proof(k, { htm: 'POST', htu });
    assert.equal((await tokenPost('dpopco', machine, { grant_type: 'client_credentials' }, good)).status, 200);
    const cases: [string, string][] = [
      ['replayed (same jti)', good],
      ['another htu', await proof(k, { htm: 'POST', htu: `${srv.issuer('nonceco')}/token` })],
      ['another htm', await proof(k, { htm: 'GET', htu })],
      ['stale iat', await proof(k, { htm: 'POST', htu, iat: Math.floor(Date.now() / 1000) - 600 })],
      ['iat in the future', await proof(k, { htm: 'POST', htu, iat: Math.floor(Date.now() / 1000) + 600 })],
      [
        'private key in the header',
        await new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), htm: 'POST', htu })
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(k.privateKey) })
          .sign(k.privateKey),
      ],
      [
        'typ JWT',
        await new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), htm: 'POST', htu })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: await exportJWK(k.publicKey) })
          .sign(k.privateKey),
      ],
      ['two proofs', `${await proof(k, { htm: 'POST', htu })}, ${await proof(k, { htm: 'POST', htu })}`],
    ];
    for (const [what, p] of cases) {
      const r = await tokenPost('dpopco', machine, { grant_type: 'client_credentials' }, p);
      assert.equal(r.status, 400, what);
      assert.equal(((await r.json()) as Record<string, unknown>).error, 'invalid_dpop_proof', what);
    }
    // The query string of htu is ignored (RFC 9449 4.3), and scheme and host compare case-insensitively.
    const upper = htu.replace('http://', 'HTTP://');
    const r = await tokenPost(
      'dpopco',
      machine,
      { grant_type: 'client_credentials' },
      await proof(k, { htm: 'POST', htu: `${upper}?x=1` }),
    );
    assert.equal(r.status, 200);
  });

  test('concurrent proofs: distinct ones all pass, the same one sent eight times at once passes once', async () => {
    const k = await newKey();
    const htu = `${srv.issuer('dpopco')}/token`;
    const distinct = await Promise.all(Array.from({ length: 8 }, () => proof(k, { htm: 'POST', htu })));
    const same = await proof(k, { htm: 'POST', htu });
    const [a, b] = await Promise.all([
      Promise.all(distinct.map((p) => tokenPost('dpopco', machine, { grant_type: 'client_credentials' }, p))),
      Promise.all(Array.from({ length: 8 }, () => tokenPost('dpopco', machine, { grant_type: 'client_credentials' }, same))),
    ]);
    assert.deepEqual(
      a.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.deepEqual(b.map((r) => r.status).sort(), [200, ...Array(7).fill(400)]);
  });

  test('the replay store judges each proof of a grouped insert on its own, records of another replica included', async () => {
    const store = (await tenantOf(srv, 'dpopco')).store.dpopProofs;
    const until = new Date(Date.now() + 60_000);
    const [x, y, z] = [randomUUID(), randomUUID(), randomUUID()];
    // z as another replica recorded it.
    assert.equal(await store.recordUse(z, until), true);
    const verdicts = await Promise.all([x, y, x, z].map((key) => store.recordUse(key, until)));
    assert.deepEqual(verdicts, [true, true, false, false]);
    assert.equal(await store.recordUse(y, until), false);
  });

  test('authorization_code and refresh with openid-client: bound tokens, refresh token bound to the key', async () => {
    const key = await newKey();
    const { cfg, DPoP, tokens } = await signInWithDpop(key);
    assert.equal(tokens.token_type, 'dpop');
    const jkt = await thumbprint(key);
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
    assert.ok(tokens.refresh_token);

    // Another key (a thief's) is refused, and does not burn the holder's refresh token.
    const thief = oidc.getDPoPHandle(cfg, await newKey());
    await assert.rejects(oidc.refreshTokenGrant(cfg, tokens.refresh_token!, undefined, { DPoP: thief }), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    // No proof at all: refused the same way.
    await assert.rejects(oidc.refreshTokenGrant(cfg, tokens.refresh_token!), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    const refreshed = await oidc.refreshTokenGrant(cfg, tokens.refresh_token!, undefined, { DPoP });
    assert.equal(refreshed.token_type, 'dpop');
    assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt });

    // userinfo with the DPoP scheme and a proof carrying ath.
    const claims = await oidc.fetchUserInfo(cfg, refreshed.access_token, oidc.skipSubjectCheck, { DPoP });
    assert.equal(claims.name, 'Alice');
  });
});

describe('userinfo', () => {
  test('a DPoP-bound token presented as Bearer is refused; a bearer token with the DPoP scheme too', async () => {
    const key = await newKey();
    const { tokens } = await signInWithDpop(key);
    const asBearer = await userinfo('dpopco', `Bearer ${tokens.access_token}`);
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);

    const bearer = await signInBearer();
    const k = await newKey();
    const htu = `${srv.issuer('dpopco')}/userinfo`;
    const r = await userinfo('dpopco', `DPoP ${bearer}`, await proof(k, { htm: 'GET', htu, ath: ath(bearer) }));
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as Record<string, unknown>).error, 'invalid_token');
  });

  test('refused proofs at userinfo: wrong ath, another key, replayed, another htu, none', async () => {
    const key = await newKey();
    const { tokens } = await signInWithDpop(key);
    const token = tokens.access_token;
    const htu = `${srv.issuer('dpopco')}/userinfo`;
    const good = await proof(key, { htm: 'GET', htu, ath: ath(token) });
    assert.equal((await userinfo('dpopco', `DPoP ${token}`, good)).status, 200);
    const cases: [string, string | undefined, string][] = [
      ['replayed', good, 'invalid_dpop_proof'],
      ['wrong ath', await proof(key, { htm: 'GET', htu, ath: ath('another token') }), 'invalid_dpop_proof'],
      ['no ath', await proof(key, { htm: 'GET', htu }), 'invalid_dpop_proof'],
      ['another htu', await proof(key, { htm: 'GET', htu: `${srv.issuer('dpopco')}/token`, ath: ath(token) }), 'invalid_dpop_proof'],
      ['another key', await proof(await newKey(), { htm: 'GET', htu, ath: ath(token) }), 'invalid_token'],
      ['no proof', undefined, 'invalid_dpop_proof'],
    ];
    for (const [what, p, code] of cases) {
      const r = await userinfo('dpopco', `DPoP ${token}`, p);
      assert.equal(r.status, 401, what);
      assert.equal(((await r.json()) as Record<string, unknown>).error, code, what);
      assert.match(r.headers.get('www-authenticate') ?? '', new RegExp(`^DPoP .*error="${code}"`), what);
    }
  });
});

/** A bearer (unbound) user token of the public client: the same flow without DPoP. */
async function signInBearer(): Promise<string> {
  const cfg = await config('dpopco', spa, true);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: RP,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const end = await runFlow(new Browser(), url.href, { username: 'alice', password: PASSWORD, consent: 'allow' });
  const tokens = await oidc.authorizationCodeGrant(cfg, new URL((end as { url: string }).url), { pkceCodeVerifier: verifier });
  assert.equal(tokens.token_type, 'bearer');
  return tokens.access_token;
}

describe('server nonces (dpopNonce)', () => {
  test('use_dpop_nonce with a DPoP-Nonce header; openid-client retries with it and succeeds', async () => {
    const k = await newKey();
    const htu = `${srv.issuer('nonceco')}/token`;
    const first = await tokenPost('nonceco', nonceMachine, { grant_type: 'client_credentials' }, await proof(k, { htm: 'POST', htu }));
    assert.equal(first.status, 400);
    assert.equal(((await first.json()) as Record<string, unknown>).error, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    assert.ok(nonce);
    const wrong = await tokenPost(
      'nonceco',
      nonceMachine,
      { grant_type: 'client_credentials' },
      await proof(k, { htm: 'POST', htu, nonce: 'x'.repeat(32) }),
    );
    assert.equal(((await wrong.json()) as Record<string, unknown>).error, 'use_dpop_nonce');
    const second = await tokenPost(
      'nonceco',
      nonceMachine,
      { grant_type: 'client_credentials' },
      await proof(k, { htm: 'POST', htu, nonce }),
    );
    assert.equal(second.status, 200);
    assert.ok(second.headers.get('dpop-nonce'));

    const cfg = await config('nonceco', nonceMachine);
    const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'api:read' }, { DPoP: oidc.getDPoPHandle(cfg, await newKey()) });
    assert.equal(tokens.token_type, 'dpop');
  });

  test('at userinfo a proof without the nonce gets 401 use_dpop_nonce with a DPoP challenge and a DPoP-Nonce header', async () => {
    const key = await newKey();
    const cfg = await config('nonceco', nonceMachine);
    const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'api:read' }, { DPoP: oidc.getDPoPHandle(cfg, key) });
    const r = await userinfo(
      'nonceco',
      `DPoP ${tokens.access_token}`,
      await proof(key, { htm: 'GET', htu: `${srv.issuer('nonceco')}/userinfo`, ath: ath(tokens.access_token) }),
    );
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /^DPoP .*error="use_dpop_nonce"/);
    assert.ok(r.headers.get('dpop-nonce'));
  });

  test('the nonce of one tenant is not another tenant’s', async () => {
    const k = await newKey();
    const first = await tokenPost(
      'nonceco',
      nonceMachine,
      { grant_type: 'client_credentials' },
      await proof(k, { htm: 'POST', htu: `${srv.issuer('nonceco')}/token` }),
    );
    const nonce = first.headers.get('dpop-nonce')!;
    await gqlOk(srv, 'mutation { updateTenant(slug: "dpopco", input: { settings: { dpopNonce: true } }) { slug } }');
    try {
      const r = await tokenPost(
        'dpopco',
        machine,
        { grant_type: 'client_credentials' },
        await proof(k, { htm: 'POST', htu: `${srv.issuer('dpopco')}/token`, nonce }),
      );
      assert.equal(((await r.json()) as Record<string, unknown>).error, 'use_dpop_nonce');
    } finally {
      await gqlOk(srv, 'mutation { updateTenant(slug: "dpopco", input: { settings: { dpopNonce: null } }) { slug } }');
    }
  });
});

describe('introspection and the resource-server middleware', () => {
  test('introspection answers token_type DPoP and cnf.jkt, for JWT and opaque tokens', async () => {
    const { token, key } = await boundMachineToken();
    const jkt = await thumbprint(key);
    const opaqueToken = (await boundMachineToken(opaque)).token;
    for (const t of [token, opaqueToken]) {
      const r = await fetch(`${srv.issuer('dpopco')}/introspect`, {
        method: 'POST',
        headers: { authorization: basic(resourceServer), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: t }),
      });
      const body = (await r.json()) as Record<string, any>;
      assert.equal(body.active, true);
      assert.equal(body.token_type, 'DPoP');
      if (t === token) assert.deepEqual(body.cnf, { jkt });
      else assert.ok(typeof body.cnf?.jkt === 'string');
    }
  });

  test('requireAccessToken: a bound token with its proof (openid-client), refused as Bearer, replay refused', async () => {
    const key = await newKey();
    const cfg = await config('dpopco', machine);
    const DPoP = oidc.getDPoPHandle(cfg, key);
    const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'api:read' }, { DPoP });
    for (const path of ['/read', '/opaque']) {
      const ok = await oidc.fetchProtectedResource(cfg, tokens.access_token, new URL(`${apiUrl}${path}`), 'GET', null, undefined, { DPoP });
      assert.equal(ok.status, 200, path);
      assert.equal(((await ok.json()) as VerifiedAccessToken).jkt, await thumbprint(key));
    }
    const asBearer = await fetch(`${apiUrl}/read`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);

    const p = await proof(key, { htm: 'GET', htu: `${apiUrl}/read`, ath: ath(tokens.access_token) });
    const once = await fetch(`${apiUrl}/read`, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: p } });
    assert.equal(once.status, 200);
    const again = await fetch(`${apiUrl}/read`, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: p } });
    assert.equal(again.status, 401);
    assert.equal(((await again.json()) as Record<string, unknown>).error, 'invalid_dpop_proof');
    const otherPath = await fetch(`${apiUrl}/read`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(key, { htm: 'GET', htu: `${apiUrl}/opaque`, ath: ath(tokens.access_token) }),
      },
    });
    assert.equal(otherPath.status, 401);
  });

  test('a DPoP-bound admin token is not a /graphql credential', async () => {
    const k = await newKey();
    const r = await fetch(`${srv.url}/t/system/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('test-admin:test-admin-secret-0123456789').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        dpop: await proof(k, { htm: 'POST', htu: `${srv.url}/t/system/token` }),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }),
    });
    const { access_token: token, token_type: type } = (await r.json()) as Record<string, string>;
    assert.equal(type, 'DPoP');
    const g = await fetch(`${srv.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ tenants(first: 1) { edges { cursor } } }' }),
    });
    const body = (await g.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});
