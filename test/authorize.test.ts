import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, responseParams, type Page } from './helpers/browser-fetch.js';
import { RP, RP_WITH_QUERY, SPA, authorizeUrl, pkce, randomValue, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The authorization endpoint's request validation: what is an HTML page (untrusted
 * client or redirect URI), what goes back to the client (every other error, with
 * `iss` and `state`), in which response mode.
 */
let srv: TestServer;
let fx: Fixture;

before(async () => {
  srv = await startTestServer({ label: 'authorize' });
  fx = await setupFixture(srv);
  // RFC 8707: a `resource` must name one of the tenant's resource servers.
  for (const identifier of ['https://api.example.com/', 'https://other.example.com/'])
    await gqlOk(srv, `mutation($i: CreateResourceServerInput!) { createResourceServer(tenant: "acme", input: $i) { identifier } }`, {
      i: { identifier },
    });
});
after(async () => {
  await srv?.close();
});

async function get(url: string): Promise<Page> {
  return new Browser().request(url);
}

/** Asserts a redirect to the client and returns its response parameters. */
function redirected(page: Page, prefix: string): URLSearchParams {
  assert.equal(page.status, 303, `expected a redirect, got ${page.status}: ${page.body.slice(0, 300)}`);
  const location = page.headers.get('location')!;
  assert.ok(location.startsWith(prefix), `redirect to ${location}`);
  return responseParams(location);
}

/** Asserts an HTML error page, never a redirect. */
function htmlError(page: Page, code: string): void {
  assert.equal(page.status, 400);
  assert.equal(page.headers.get('location'), null);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.ok(page.body.includes(code), `page names ${code}`);
}

const base = (extra: Record<string, string> = {}): Record<string, string> => ({
  client_id: fx.web.clientId,
  redirect_uri: RP,
  response_type: 'code',
  scope: 'openid',
  state: 'st-123',
  ...extra,
});

describe('discovery', () => {
  test('announces the authorization endpoint and exactly what it supports', async () => {
    const meta = (await (await fetch(`${srv.issuer('acme')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.authorization_endpoint, `${srv.issuer('acme')}/authorize`);
    assert.deepEqual(meta.response_types_supported, [
      'code',
      'id_token',
      'id_token token',
      'code id_token',
      'code token',
      'code id_token token',
    ]);
    assert.deepEqual(meta.response_modes_supported, ['query', 'fragment', 'form_post']);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(meta.prompt_values_supported, ['none', 'login', 'consent', 'select_account']);
    assert.equal(meta.claims_parameter_supported, true);
    assert.equal(meta.request_parameter_supported, true);
    assert.equal(meta.request_uri_parameter_supported, true);
    assert.equal(meta.require_request_uri_registration, true);
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(meta.ui_locales_supported, ['en']);
    assert.ok((meta.grant_types_supported as string[]).includes('implicit'));
  });
});

describe('client and redirect_uri (HTML page, never a redirect)', () => {
  test('unknown client', async () => {
    htmlError(await get(authorizeUrl(srv, 'acme', base({ client_id: 'no-such-client' }))), 'invalid_client');
  });

  test('missing client_id', async () => {
    const { client_id: _, ...rest } = base();
    htmlError(await get(authorizeUrl(srv, 'acme', rest)), 'invalid_request');
  });

  test('a client of another tenant is unknown here', async () => {
    htmlError(await get(authorizeUrl(srv, 'acme', base({ client_id: fx.globexWeb.clientId }))), 'invalid_client');
  });

  test('unregistered redirect_uri, and near misses of a registered one', async () => {
    for (const uri of [
      'https://evil.example/cb',
      `${RP}/`,
      `${RP}?x=1`,
      RP.toUpperCase(),
      'https://rp.example.com/cb#x',
      'https://rp.example.com:443/cb',
    ]) {
      htmlError(await get(authorizeUrl(srv, 'acme', base({ redirect_uri: uri }))), 'invalid_request');
    }
  });

  test('an error that would otherwise redirect is a page while redirect_uri is bad', async () => {
    htmlError(
      await get(authorizeUrl(srv, 'acme', base({ redirect_uri: 'https://evil.example/cb', response_type: 'bogus' }))),
      'invalid_request',
    );
  });

  test('redirect_uri is required for OpenID requests even with one registered URI', async () => {
    const { redirect_uri: _, ...rest } = base({ client_id: fx.trusted.clientId });
    htmlError(await get(authorizeUrl(srv, 'acme', rest)), 'invalid_request');
  });

  test('a plain OAuth request may omit it when exactly one is registered', async () => {
    const { redirect_uri: _, ...rest } = base({ client_id: fx.trusted.clientId, scope: 'api:read' });
    const page = await get(authorizeUrl(srv, 'acme', rest));
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location')!, /\/t\/acme\/interaction\//);
  });

  test('repeated client_id or redirect_uri', async () => {
    htmlError(await get(`${authorizeUrl(srv, 'acme', base())}&client_id=${fx.web.clientId}`), 'invalid_request');
    htmlError(await get(`${authorizeUrl(srv, 'acme', base())}&redirect_uri=${encodeURIComponent(RP)}`), 'invalid_request');
  });

  test('the error page escapes what it echoes', async () => {
    const page = await get(
      authorizeUrl(srv, 'acme', base({ response_type: '<script>alert(1)</script>', redirect_uri: 'https://x/<script>' })),
    );
    assert.ok(!page.body.includes('<script>alert'));
    assert.ok(!page.body.includes('<script>'));
  });
});

describe('errors go back to the client with error, state and iss', () => {
  const expectError = async (params: Record<string, string>, error: string, prefix = RP) => {
    const p = redirected(await get(authorizeUrl(srv, 'acme', params)), prefix);
    assert.equal(p.get('error'), error, `error_description: ${p.get('error_description')}`);
    assert.equal(p.get('iss'), srv.issuer('acme'));
    if (params.state !== undefined) assert.equal(p.get('state'), params.state);
    assert.ok(p.get('error_description'));
    return p;
  };

  test('missing response_type', async () => {
    const { response_type: _, ...rest } = base();
    await expectError(rest, 'invalid_request');
  });

  test('unsupported response_type', async () => {
    await expectError(base({ response_type: 'token' }), 'unsupported_response_type');
    await expectError(base({ response_type: 'code code' }), 'unsupported_response_type');
    await expectError(base({ response_type: 'none' }), 'unsupported_response_type');
  });

  test('response_type not registered for the client', async () => {
    await expectError(
      base({ client_id: fx.codeOnly.clientId, response_type: 'code id_token', nonce: 'n' }),
      'unauthorized_client',
      `${RP}#`,
    );
  });

  test('public client without PKCE, with plain PKCE, or with the method omitted', async () => {
    const spa = { client_id: fx.spa.clientId, redirect_uri: SPA, response_type: 'code', scope: 'openid', state: 's' };
    await expectError(spa, 'invalid_request', SPA);
    const { challenge, verifier } = pkce();
    await expectError({ ...spa, code_challenge: verifier, code_challenge_method: 'plain' }, 'invalid_request', SPA);
    await expectError({ ...spa, code_challenge: challenge }, 'invalid_request', SPA);
    await expectError({ ...spa, code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request', SPA);
  });

  test('a public client with S256 PKCE gets to the login page', async () => {
    const page = await get(
      authorizeUrl(srv, 'acme', {
        client_id: fx.spa.clientId,
        redirect_uri: SPA,
        response_type: 'code',
        scope: 'openid',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location')!, /\/interaction\//);
  });

  test('plain PKCE is refused for confidential clients too', async () => {
    await expectError(base({ code_challenge: pkce().verifier, code_challenge_method: 'plain' }), 'invalid_request');
  });

  test('nonce is required when the authorization endpoint returns an ID token (error in the fragment)', async () => {
    for (const rt of ['id_token', 'id_token token', 'code id_token', 'code id_token token']) {
      await expectError(base({ response_type: rt }), 'invalid_request', `${RP}#`);
    }
  });

  test('code token needs no nonce (OIDC Core 3.3.2.11): the request goes on to login', async () => {
    const page = await get(authorizeUrl(srv, 'acme', base({ response_type: 'code token' })));
    assert.equal(page.status, 303, page.body.slice(0, 300));
    assert.match(page.headers.get('location')!, /\/interaction\//);
  });

  test('response types other than code need the openid scope', async () => {
    await expectError(base({ response_type: 'id_token', nonce: 'n', scope: 'profile' }), 'invalid_request', `${RP}#`);
  });

  test('an unsigned request object from a client that did not register alg none; an unregistered request_uri', async () => {
    await expectError(base({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request_not_supported');
    await expectError(base({ request_uri: 'https://rp.example.com/request.jwt' }), 'invalid_request_uri');
  });

  test('repeated parameters are refused; repeated resource is allowed', async () => {
    const p = redirected(await get(`${authorizeUrl(srv, 'acme', base())}&scope=openid`), RP);
    assert.equal(p.get('error'), 'invalid_request');
    assert.equal(p.get('iss'), srv.issuer('acme'));
    const ok = await get(
      `${authorizeUrl(srv, 'acme', base({ resource: 'https://api.example.com/' }))}&resource=${encodeURIComponent('https://other.example.com/')}`,
    );
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get('location')!, /\/interaction\//);
  });

  test('a resource with a fragment, not a URI, or not a resource server of the tenant is an invalid target', async () => {
    await expectError(base({ resource: 'https://api.example.com/#x' }), 'invalid_target');
    await expectError(base({ resource: 'not a uri' }), 'invalid_target');
    await expectError(base({ resource: 'https://unknown.example.com/' }), 'invalid_target');
  });

  test('scopes the client may not request', async () => {
    await expectError(base({ scope: 'openid admin' }), 'invalid_scope');
  });

  test('prompt: unknown values and none combined with others', async () => {
    await expectError(base({ prompt: 'none login' }), 'invalid_request');
    await expectError(base({ prompt: 'sometimes' }), 'invalid_request');
  });

  test('max_age must be a non-negative integer', async () => {
    await expectError(base({ max_age: '-1' }), 'invalid_request');
    await expectError(base({ max_age: 'soon' }), 'invalid_request');
  });

  test('claims must be valid JSON of the right shape', async () => {
    await expectError(base({ claims: '{not json' }), 'invalid_request');
    await expectError(base({ claims: '[]' }), 'invalid_request');
    await expectError(base({ claims: JSON.stringify({ id_token: { email: { essential: 'yes' } } }) }), 'invalid_request');
    await expectError(base({ claims: JSON.stringify({ userinfo: { email: { values: 'a' } } }) }), 'invalid_request');
    await expectError(base({ claims: JSON.stringify({ userinfo: [] }) }), 'invalid_request');
  });

  test('id_token_hint must be an ID token of this tenant for this client', async () => {
    await expectError(base({ id_token_hint: 'not.a.jwt' }), 'invalid_request');
    const forged = `${Buffer.from('{"alg":"RS256","kid":"x"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: srv.issuer('acme'), sub: 'x', aud: fx.web.clientId })).toString('base64url')}.c2ln`;
    await expectError(base({ id_token_hint: forged }), 'invalid_request');
  });

  test('prompt=none without a session is login_required', async () => {
    await expectError(base({ prompt: 'none' }), 'login_required');
    await expectError(base({ prompt: 'none', response_type: 'id_token', nonce: 'n' }), 'login_required', `${RP}#`);
  });

  test('unknown parameters are ignored', async () => {
    const page = await get(authorizeUrl(srv, 'acme', base({ foo: 'bar', 'x-custom': '1' })));
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location')!, /\/interaction\//);
  });

  test('state is echoed exactly, and left out when absent', async () => {
    const odd = 'a b&c=d/é';
    const p = redirected(await get(authorizeUrl(srv, 'acme', base({ prompt: 'none', state: odd }))), RP);
    assert.equal(p.get('state'), odd);
    const { state: _, ...rest } = base({ prompt: 'none' });
    const q = redirected(await get(authorizeUrl(srv, 'acme', rest)), RP);
    assert.equal(q.has('state'), false);
    assert.equal(q.get('iss'), srv.issuer('acme'));
  });
});

describe('response modes of error responses', () => {
  test('query keeps the registered URI query intact', async () => {
    const page = await get(authorizeUrl(srv, 'acme', base({ redirect_uri: RP_WITH_QUERY, prompt: 'none' })));
    const location = page.headers.get('location')!;
    assert.ok(location.startsWith(`${RP_WITH_QUERY}&`), location);
    const u = new URL(location);
    assert.equal(u.searchParams.get('keep'), '1');
    assert.equal(u.searchParams.get('error'), 'login_required');
  });

  test('fragment when asked for', async () => {
    const p = redirected(await get(authorizeUrl(srv, 'acme', base({ prompt: 'none', response_mode: 'fragment' }))), `${RP}#`);
    assert.equal(p.get('error'), 'login_required');
  });

  test('query is refused for token responses; the error is delivered in the fragment', async () => {
    const p = redirected(
      await get(authorizeUrl(srv, 'acme', base({ response_type: 'id_token', nonce: 'n', response_mode: 'query' }))),
      `${RP}#`,
    );
    assert.equal(p.get('error'), 'invalid_request');
  });

  test('an unknown response_mode is an error in the default mode', async () => {
    const p = redirected(await get(authorizeUrl(srv, 'acme', base({ response_mode: 'jwt' }))), `${RP}?`);
    assert.equal(p.get('error'), 'invalid_request');
  });

  test('form_post renders an auto-submitting form that also works without JavaScript', async () => {
    const page = await get(authorizeUrl(srv, 'acme', base({ prompt: 'none', response_mode: 'form_post', state: 'x"><script>' })));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.body, new RegExp(`<form method="post" action="${RP.replace(/[.]/g, '\\.')}">`));
    assert.match(page.body, /name="error" value="login_required"/);
    assert.match(page.body, new RegExp(`name="iss" value="${srv.issuer('acme').replace(/[.]/g, '\\.')}"`));
    assert.match(page.body, /name="state" value="x&quot;&gt;&lt;script&gt;"/);
    assert.match(page.body, /<button[^>]*type="submit"[^>]*>Continue<\/button>/);
    const csp = page.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.ok(page.body.includes(`<script nonce="${nonce}">`));
    assert.match(csp, /form-action https:\/\/rp\.example\.com/);
    assert.doesNotMatch(csp, /unsafe-inline/);
  });

  test('POST to the authorization endpoint behaves like GET', async () => {
    const page = await new Browser().request(`${srv.issuer('acme')}/authorize`, { method: 'POST', form: base({ prompt: 'none' }) });
    const p = redirected(page, RP);
    assert.equal(p.get('error'), 'login_required');
    assert.equal(p.get('state'), 'st-123');
    const bad = await new Browser().request(`${srv.issuer('acme')}/authorize`, { method: 'POST', form: base({ client_id: 'nobody' }) });
    htmlError(bad, 'invalid_client');
  });

  test('other methods are refused', async () => {
    const res = await fetch(`${srv.issuer('acme')}/authorize`, { method: 'PUT' });
    assert.equal(res.status, 405);
  });
});

describe('a valid request starts an interaction', () => {
  test('303 to the interaction page with a browser-binding cookie scoped to it', async () => {
    const b = new Browser();
    const page = await b.request(authorizeUrl(srv, 'acme', base({ nonce: randomValue() })));
    assert.equal(page.status, 303);
    const location = page.headers.get('location')!;
    assert.match(location, new RegExp(`^${srv.issuer('acme')}/interaction/[A-Za-z0-9_-]+$`));
    const uid = location.split('/').pop()!;
    const cookies = page.headers.getSetCookie();
    assert.equal(cookies.length, 2);
    assert.ok(cookies.some((c) => c.includes(`Path=/t/acme/interaction/${uid};`)));
    assert.ok(cookies.some((c) => c.includes(`Path=/t/acme/authorize/resume/${uid};`)));
    for (const c of cookies) {
      assert.match(c, /HttpOnly/);
      assert.match(c, /SameSite=Lax/);
      assert.doesNotMatch(c, /Secure/);
    }
  });

  test('resume without the interaction cookie is an HTML page, not a redirect', async () => {
    const b = new Browser();
    const page = await b.request(authorizeUrl(srv, 'acme', base()));
    const uid = page.headers.get('location')!.split('/').pop()!;
    const other = await new Browser().request(`${srv.issuer('acme')}/authorize/resume/${uid}`);
    assert.equal(other.status, 400);
    assert.equal(other.headers.get('location'), null);
    const bogus = await b.request(`${srv.issuer('acme')}/authorize/resume/not-a-real-interaction`);
    assert.equal(bogus.status, 400);
  });
});
