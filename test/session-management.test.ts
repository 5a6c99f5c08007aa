import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import * as oidc from 'openid-client';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { Browser, runFlow, type FlowEnd } from './helpers/browser-fetch.js';
import { signIn, type RpClient } from './helpers/rp-session.js';
import { startTestServer, testDatabaseName, type TestServer } from './helpers/server.js';

/**
 * OIDC Session Management 1.0: `session_state` in every successful authorization
 * response of an OpenID request, and the check_session iframe that recomputes it from
 * the browser state cookie. The iframe's own script is run here (in a VM with the
 * browser's cookie, a postMessage source and fetch) exactly as an RP's page drives it.
 */
const RP = 'https://rp.example.com/cb';
const RP_ORIGIN = 'https://rp.example.com';
const NATIVE = 'com.example.app:/callback';
const PASSWORD = 'session management pw 1';

let srv: TestServer;
let web: RpClient;
let native: RpClient;

before(async () => {
  srv = await startTestServer({ label: 'sessmgmt' });
  await createTenant(srv, 'acme', 'Acme Corporation');
  const c = await createClient(srv, 'acme', {
    name: 'Acme Web',
    clientType: 'CONFIDENTIAL',
    requireConsent: false,
    redirectUris: [RP],
    grantTypes: ['authorization_code', 'implicit'],
    responseTypes: ['code', 'id_token', 'code id_token'],
    scopes: ['openid', 'profile', 'api:read'],
  });
  web = { ...c, redirectUri: RP };
  const n = await createClient(srv, 'acme', {
    name: 'Native',
    clientType: 'PUBLIC',
    requireConsent: false,
    redirectUris: [NATIVE],
    scopes: ['openid'],
  });
  native = { ...n, redirectUri: NATIVE };
  await createUser(srv, 'acme', 'alice', PASSWORD);
  await createUser(srv, 'acme', 'bob', PASSWORD);
});
after(async () => {
  await srv?.close();
});

const browserStateCookie = (browser: Browser, slug = 'acme') => browser.cookie('gh_browser_state', `${srv.issuer(slug)}/check_session`);

/** Session Management 1.0 section 3: what the OP iframe computes. */
function expectedSessionState(clientId: string, origin: string, browserState: string, salt: string): string {
  return `${createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('hex')}.${salt}`;
}

function paramsOf(end: FlowEnd): URLSearchParams {
  if (end.kind === 'form_post') return new URLSearchParams(end.fields);
  assert.equal(end.kind, 'redirect', end.kind === 'page' ? end.page.body.slice(0, 300) : '');
  const url = new URL((end as { url: string }).url);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

async function authorize(browser: Browser, params: Record<string, string>, client: RpClient = web): Promise<URLSearchParams> {
  const q = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: 'openid',
    state: 's',
    nonce: 'n',
    ...params,
  });
  if (client.clientSecret === null) {
    q.set('code_challenge', await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()));
    q.set('code_challenge_method', 'S256');
  }
  return paramsOf(await runFlow(browser, `${srv.issuer('acme')}/authorize?${q}`, { username: 'alice', password: PASSWORD }));
}

interface IframeHarness {
  /** Posts "client_id session_state" from `origin`; resolves with the iframe's answer. */
  ask(message: string, origin: string): Promise<string>;
  anonymous: string;
}

/**
 * The check_session page's script, run with a browser's cookie jar: `document.cookie` is
 * what the browser would expose to the frame, `fetch` goes to the real server.
 */
async function iframe(browser: Browser, slug = 'acme'): Promise<IframeHarness> {
  const res = await fetch(`${srv.issuer(slug)}/check_session`);
  const html = await res.text();
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
  let handler: ((e: unknown) => void) | undefined;
  const pageUrl = `${srv.issuer(slug)}/check_session`;
  runInNewContext(script, {
    window: { addEventListener: (type: string, fn: (e: unknown) => void) => type === 'message' && (handler = fn) },
    document: {
      get cookie() {
        return browser.cookieHeader(pageUrl);
      },
    },
    fetch,
    TextEncoder,
    Uint32Array,
    encodeURIComponent,
  });
  assert.ok(handler, 'the page listens for messages');
  return {
    anonymous: /var ANONYMOUS="([^"]+)"/.exec(script)![1]!,
    ask: (message, origin) =>
      new Promise((resolve) => {
        handler!({
          data: message,
          origin,
          source: { postMessage: (v: string, target: string) => (assert.equal(target, origin), resolve(v)) },
        });
      }),
  };
}

describe('session_state in authorization responses', () => {
  test('code (query), hybrid (fragment) and form_post responses carry a verifiable session_state', async () => {
    const browser = new Browser();
    const cases: Record<string, string>[] = [
      { response_type: 'code' },
      { response_type: 'code id_token' },
      { response_type: 'id_token' },
      { response_type: 'code', response_mode: 'form_post' },
    ];
    for (const c of cases) {
      const p = await authorize(browser, c);
      const ss = p.get('session_state');
      assert.ok(ss, JSON.stringify(c));
      assert.match(ss!, /^[0-9a-f]{64}\.[A-Za-z0-9_-]+$/);
      const cookie = browserStateCookie(browser)!;
      assert.ok(cookie, 'the browser state cookie is set');
      const salt = ss!.split('.')[1]!;
      assert.equal(ss, expectedSessionState(web.clientId, RP_ORIGIN, cookie.value, salt), JSON.stringify(c));
    }
  });

  test('openid-client receives it alongside the code', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, { username: 'alice', password: PASSWORD });
    assert.match(s.response.get('session_state')!, /^[0-9a-f]{64}\./);
  });

  test('the browser state cookie is readable by the frame, scoped to the tenant, and expires with the session', async () => {
    const browser = new Browser();
    await authorize(browser, { response_type: 'code' });
    const c = browserStateCookie(browser)!;
    assert.equal(c.httpOnly, false, 'the iframe script reads it');
    assert.equal(c.path, '/t/acme');
    assert.equal(c.sameSite, 'Lax', 'SameSite=None needs Secure, which plain http cannot set');
    assert.ok(c.expiresAt! > Date.now() + 13 * 24 * 3600 * 1000, 'lives as long as the session (14 days by default)');
    assert.notEqual(c.value, browser.cookie('gh_session')?.value, 'never the session cookie');
  });

  test('none for OAuth requests without openid, for native redirect URIs, or for errors', async () => {
    const browser = new Browser();
    const plain = await authorize(browser, { response_type: 'code', scope: 'api:read' });
    assert.ok(plain.get('code'));
    assert.equal(plain.get('session_state'), null);
    const nativeResponse = await authorize(browser, { response_type: 'code' }, native);
    assert.ok(nativeResponse.get('code'));
    assert.equal(nativeResponse.get('session_state'), null, 'a private-use scheme has no web origin');
    const silent = paramsOf(
      await runFlow(
        new Browser(),
        `${srv.issuer('acme')}/authorize?${new URLSearchParams({ client_id: web.clientId, redirect_uri: RP, scope: 'openid', response_type: 'code', prompt: 'none' })}`,
      ),
    );
    assert.equal(silent.get('error'), 'login_required');
    assert.equal(silent.get('session_state'), null);
  });
});

describe('check_session iframe', () => {
  test('answers unchanged, then changed after logout and after another login', async () => {
    const browser = new Browser();
    const p = await authorize(browser, { response_type: 'code' });
    const ss = p.get('session_state')!;
    const frame = await iframe(browser);
    assert.equal(await frame.ask(`${web.clientId} ${ss}`, RP_ORIGIN), 'unchanged');

    // Logged out (here: by the RP-initiated logout page, confirmed): the cookie is gone and the anonymous state differs.
    const confirm = await browser.request(`${srv.issuer('acme')}/end_session`);
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(confirm.body)![1]!;
    const out = await browser.request(`${srv.issuer('acme')}/end_session`, { form: { csrf_token: csrf, decision: 'logout' } });
    assert.equal(out.status, 200);
    assert.equal(browserStateCookie(browser), undefined, 'logout removes the browser state');
    assert.equal(await frame.ask(`${web.clientId} ${ss}`, RP_ORIGIN), 'changed');

    // A new login (a new session) is a new browser state too.
    const again = await authorize(browser, { response_type: 'code' });
    const ss2 = again.get('session_state')!;
    assert.equal(await frame.ask(`${web.clientId} ${ss}`, RP_ORIGIN), 'changed');
    assert.equal(await frame.ask(`${web.clientId} ${ss2}`, RP_ORIGIN), 'unchanged');
  });

  test('a login without a successful authorization response still changes the browser state', async () => {
    const browser = new Browser();
    const ss = (await authorize(browser, { response_type: 'code' })).get('session_state')!;
    const before = browserStateCookie(browser)!.value;
    // Bob signs in on this browser and then denies consent: only an error goes back to the RP.
    const q = new URLSearchParams({
      client_id: web.clientId,
      redirect_uri: RP,
      scope: 'openid',
      response_type: 'code',
      prompt: 'login consent',
      state: 'x',
    });
    const denied = paramsOf(
      await runFlow(browser, `${srv.issuer('acme')}/authorize?${q}`, { username: 'bob', password: PASSWORD, consent: 'deny' }),
    );
    assert.equal(denied.get('error'), 'access_denied');
    assert.equal(denied.get('session_state'), null);
    assert.notEqual(browserStateCookie(browser)!.value, before, 'the login set a new browser state');
    assert.equal(await (await iframe(browser)).ask(`${web.clientId} ${ss}`, RP_ORIGIN), 'changed');
  });

  test('answers error to origins not registered for the client, and to malformed messages', async () => {
    const browser = new Browser();
    const ss = (await authorize(browser, { response_type: 'code' })).get('session_state')!;
    const frame = await iframe(browser);
    assert.equal(await frame.ask(`${web.clientId} ${ss}`, 'https://evil.example.com'), 'error');
    assert.equal(await frame.ask(`unknown-client ${ss}`, RP_ORIGIN), 'error');
    assert.equal(await frame.ask('no-space', RP_ORIGIN), 'error');
    assert.equal(await frame.ask(`${web.clientId} not-a-session-state`, RP_ORIGIN), 'error');
    // The unauthenticated state is public: without the origin check anyone could ask "is this browser signed in?".
    const probe = expectedSessionState(web.clientId, 'https://evil.example.com', frame.anonymous, 'salt');
    assert.equal(await frame.ask(`${web.clientId} ${probe}`, 'https://evil.example.com'), 'error');
  });

  test('served frameable, with a hash-pinned script and caching headers', async () => {
    const res = await fetch(`${srv.issuer('acme')}/check_session`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html; charset=utf-8/);
    assert.equal(res.headers.get('x-frame-options'), null, 'RPs embed this page');
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /frame-ancestors \*/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    const html = await res.text();
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    assert.ok(
      csp.includes(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`),
      'the inline script is allowed by its hash only',
    );
    assert.match(res.headers.get('cache-control')!, /max-age=/);
    const etag = res.headers.get('etag')!;
    assert.equal((await fetch(`${srv.issuer('acme')}/check_session`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(`${srv.issuer('acme')}/check_session`, { method: 'POST' })).status, 405);
  });

  test('the origin check endpoint', async () => {
    const ask = (body: Record<string, string>) =>
      fetch(`${srv.issuer('acme')}/check_session/origin`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    assert.equal((await ask({ client_id: web.clientId, origin: RP_ORIGIN })).status, 204);
    assert.equal((await ask({ client_id: web.clientId, origin: 'https://rp.example.com:8443' })).status, 403);
    assert.equal((await ask({ client_id: 'nope', origin: RP_ORIGIN })).status, 403);
    assert.equal((await ask({ client_id: web.clientId })).status, 400);
  });
});

describe('across replicas', () => {
  test('the unauthenticated state and session_state verification do not depend on the replica', async () => {
    const dbName = testDatabaseName('sessreplica');
    const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') };
    const a = await startTestServer({ dbName, env });
    const b = await startTestServer({ dbName, env });
    try {
      await createTenant(a, 'shared', 'Shared');
      const c = await createClient(a, 'shared', {
        name: 'RP',
        clientType: 'CONFIDENTIAL',
        requireConsent: false,
        redirectUris: [RP],
        scopes: ['openid'],
      });
      await createUser(a, 'shared', 'alice', PASSWORD);
      const anonymous = async (s: TestServer) => {
        for (;;) {
          const r = await fetch(`${s.issuer('shared')}/check_session`);
          if (r.status === 200) return /var ANONYMOUS="([^"]+)"/.exec(await r.text())![1];
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      // (The test replicas differ in PUBLIC_URL only because each listens on its own port.)
      assert.equal(await anonymous(a), await anonymous(b), 'the same unauthenticated browser state on both');

      // Both replicas listen on 127.0.0.1, so one cookie jar serves both (cookies ignore ports).
      const browser = new Browser();
      const q = (s: TestServer, extra: Record<string, string> = {}) =>
        `${s.issuer('shared')}/authorize?${new URLSearchParams({ client_id: c.clientId, redirect_uri: RP, scope: 'openid', response_type: 'code', state: 's', ...extra })}`;
      const onA = paramsOf(await runFlow(browser, q(a), { username: 'alice', password: PASSWORD }));
      const onB = paramsOf(await runFlow(browser, q(b, { prompt: 'none' })));
      const cookie = browser.cookie('gh_browser_state')!.value;
      for (const p of [onA, onB]) {
        const ss = p.get('session_state')!;
        assert.equal(ss, expectedSessionState(c.clientId, RP_ORIGIN, cookie, ss.split('.')[1]!));
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});
