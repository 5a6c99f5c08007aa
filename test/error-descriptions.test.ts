import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  bearerError,
  invalidClient,
  MAX_DESCRIPTION,
  notFound,
  OAuthError,
  oauthError,
  type OAuthErrorCode,
} from '../src/errors/oauth-error.js';
import { toOAuthError } from '../src/http/error-handler.js';
import { pageError } from '../src/oidc/authorize/page-error.js';
import { InputError } from '../src/errors/domain-errors.js';
import { createClient } from './helpers/admin.js';
import { Browser, responseParams } from './helpers/browser-fetch.js';
import { RP, authorizeUrl, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * RFC 6749 4.1.2.1 / 5.2: error_description is %x20-21 / %x23-5B / %x5D-7E only, and
 * (docs/openid-connect.md "Error descriptions") it never echoes request values.
 */
const ALLOWED = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

function assertSafe(description: string | null | undefined, hint: string): void {
  assert.ok(description, `a description is present (${hint})`);
  assert.match(description, ALLOWED, `${hint}: ${JSON.stringify(description)}`);
  assert.ok(description.length <= MAX_DESCRIPTION, hint);
}

/** Random text weighted towards what breaks descriptions: quotes, backslashes, controls, unicode. */
function nasty(): string {
  const pool = ['"', '\\', '\n', '\r', '\t', '\u0000', '\u007f', 'é', '😀', '\u2028', '"\\"', ' ', 'a', 'Z', '%22', '<', '>'];
  let s = '';
  const n = randomInt(0, 400);
  for (let i = 0; i < n; i++) s += randomInt(0, 3) === 0 ? String.fromCodePoint(randomInt(0, 0x110000)) : pool[randomInt(0, pool.length)]!;
  return s;
}

const CODES: OAuthErrorCode[] = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'unsupported_response_type',
  'access_denied',
  'invalid_token',
  'invalid_client_metadata',
  'server_error',
];

describe('every error constructor guarantees the charset (property test)', () => {
  test('oauthError, OAuthError, invalidClient, bearerError, notFound, pageError, toOAuthError(InputError)', () => {
    for (let i = 0; i < 500; i++) {
      const text = nasty();
      const code = CODES[i % CODES.length]!;
      const made = [
        oauthError(code, text),
        new OAuthError(code, text, 400),
        invalidClient(text),
        bearerError('invalid_token', text),
        notFound(text),
        pageError(code, text),
        toOAuthError(new InputError(text.slice(0, 20), text)),
      ];
      for (const e of made) {
        assertSafe(e.errorDescription, `${code} from ${JSON.stringify(text.slice(0, 40))}`);
        assertSafe(e.toJSON().error_description, 'toJSON');
        const challenge = e.headers['WWW-Authenticate'];
        if (challenge) assert.match(challenge, /^[\x20-\x7e]*$/);
        // The quoted-string of the challenge ends where it should: no stray `"` inside.
        if (challenge?.includes('error_description=')) assert.match(challenge, /error_description="[^"\\]*"$/);
      }
    }
  });

  test('an empty or fully stripped description falls back to the code default', () => {
    assert.equal(
      oauthError('invalid_grant', '\u0000\u0001😀').errorDescription,
      'the grant is invalid, expired, revoked or was issued to another client',
    );
  });

  test('an InputError keeps its field but not a quoted value', () => {
    const e = toOAuthError(new InputError('grantTypes', '"x\\"y" is not a supported grant type'));
    assert.equal(e.error, 'invalid_client_metadata');
    assert.ok(!e.errorDescription.includes('x'), e.errorDescription);
  });
});

describe('request values with " and \\ never reach a description', () => {
  let srv: TestServer;
  let fx: Fixture;
  before(async () => {
    srv = await startTestServer({ label: 'error-descriptions' });
    fx = await setupFixture(srv);
  });
  after(async () => {
    await srv?.close();
  });

  const EVIL = 'x"y\\z';

  test('authorization endpoint: redirected errors', async () => {
    const cases: Record<string, string>[] = [
      { response_type: `code"${EVIL}` },
      { response_type: 'id_token', scope: 'openid' },
      { response_type: 'code', scope: `openid ${EVIL}`, prompt: EVIL },
      { response_type: 'code', claims: JSON.stringify({ id_token: { [EVIL]: 5 } }) },
      { response_type: 'code', claims: JSON.stringify({ id_token: { [EVIL]: { essential: EVIL } } }) },
    ];
    for (const extra of cases) {
      const page = await new Browser().request(
        authorizeUrl(srv, 'acme', { client_id: fx.web.clientId, redirect_uri: RP, scope: 'openid', state: 's', ...extra }),
      );
      assert.equal(page.status, 303, page.body.slice(0, 200));
      const p = responseParams(page.headers.get('location')!);
      assert.ok(p.get('error'), JSON.stringify(extra));
      assertSafe(p.get('error_description'), JSON.stringify(extra));
      assert.ok(!p.get('error_description')!.includes('y/z') && !p.get('error_description')!.includes("x'y"), p.get('error_description')!);
    }
  });

  test('authorization endpoint: HTML error page does not echo the value', async () => {
    const page = await new Browser().request(
      authorizeUrl(srv, 'acme', { client_id: `${EVIL}<b>`, redirect_uri: RP, response_type: 'code', scope: 'openid' }),
    );
    assert.equal(page.status, 400);
    assert.ok(!page.body.includes('x"y') && !page.body.includes('x&quot;y'), 'the client_id is not echoed');
  });

  test('token endpoint: JSON errors', async () => {
    const conf = await createClient(srv, 'acme', {
      name: 'Token errors',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      grantTypes: ['authorization_code', 'client_credentials'],
      scopes: ['openid', 'api:read'],
    });
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(conf.clientId)}:${encodeURIComponent(conf.clientSecret!)}`).toString('base64')}`;
    const bodies: Record<string, string>[] = [
      { grant_type: EVIL },
      { grant_type: 'client_credentials', scope: `api:read ${EVIL}` },
      { grant_type: 'authorization_code', code: EVIL, redirect_uri: RP },
      { grant_type: 'refresh_token', refresh_token: EVIL },
      { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: EVIL, subject_token_type: EVIL },
    ];
    for (const body of bodies) {
      const r = await fetch(`${srv.issuer('acme')}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} for ${JSON.stringify(body)}`);
      const j = (await r.json()) as { error: string; error_description: string };
      assert.ok(j.error);
      assertSafe(j.error_description, JSON.stringify(body));
      assert.ok(!j.error_description.includes('y/z') && !j.error_description.includes("x'y"), j.error_description);
    }
    // A repeated parameter whose name carries the characters.
    const r = await fetch(`${srv.issuer('acme')}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&${encodeURIComponent(EVIL)}=1&${encodeURIComponent(EVIL)}=2`,
    });
    const j = (await r.json()) as { error: string; error_description: string };
    assert.equal(j.error, 'invalid_request');
    assertSafe(j.error_description, 'repeated');
  });

  test('userinfo: the WWW-Authenticate error_description is a valid quoted-string', async () => {
    const r = await fetch(`${srv.issuer('acme')}/userinfo`, { headers: { authorization: `Bearer ${'a'.repeat(30)}` } });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="[\x20-\x21\x23-\x5b\x5d-\x7e]*"$/);
  });
});
