import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import {
  Browser,
  consentForm,
  loginForm,
  parseForms,
  responseParams,
  runFlow,
  type FlowEnd,
  type FlowOptions,
  type Page,
} from './helpers/browser-fetch.js';
import { GLOBEX_PASSWORD, PASSWORD, RP, authorizeUrl, randomValue, setupFixture, type Fixture } from './helpers/authorize-fixture.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The login, consent and account pages, the login session and consent storage, driven
 * over real HTTP with a cookie-jar browser.
 */
let srv: TestServer;
let fx: Fixture;
let acmeId: string;

before(async () => {
  srv = await startTestServer({ label: 'interaction' });
  fx = await setupFixture(srv);
  acmeId = (await srv.store.tenants.findBySlug('acme'))!._id;
});
after(async () => {
  await srv?.close();
});

const acme = () => srv.store.forTenant(acmeId);

const params = (extra: Record<string, string> = {}): Record<string, string> => ({
  client_id: fx.web.clientId,
  redirect_uri: RP,
  response_type: 'code',
  scope: 'openid profile email',
  state: randomValue(),
  nonce: randomValue(),
  ...extra,
});

function flow(b: Browser, extra: Record<string, string>, opts: FlowOptions, slug = 'acme'): Promise<FlowEnd> {
  return runFlow(b, authorizeUrl(srv, slug, params(extra)), opts);
}

function redirectParams(end: FlowEnd): URLSearchParams {
  assert.equal(
    end.kind,
    'redirect',
    end.kind === 'page' ? `ended on a page (${end.page.status}): ${end.page.body.slice(0, 400)}` : 'not a redirect',
  );
  return responseParams((end as { url: string }).url);
}

async function exchange(
  code: string,
  clientId = fx.web.clientId,
  secret = fx.web.clientSecret!,
  slug = 'acme',
): Promise<Record<string, any>> {
  const res = await fetch(`${srv.issuer(slug)}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: RP }),
  });
  const body = (await res.json()) as Record<string, any>;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

/** Opens the authorization URL and returns the login page it leads to. */
async function openLogin(b: Browser, extra: Record<string, string> = {}, slug = 'acme'): Promise<Page> {
  const landing = await b.navigate(authorizeUrl(srv, slug, params(extra)), srv.url);
  assert.equal(landing.kind, 'page');
  const page = (landing as { page: Page }).page;
  assert.equal(page.status, 200);
  assert.ok(loginForm(page), 'a login form');
  return page;
}

const alertText = (page: Page): string | undefined => /<div class="alert"[^>]*>([\s\S]*?)<\/div>/.exec(page.body)?.[1];

/** Posts the login form and returns where the browser lands (303 first). */
async function postLogin(b: Browser, page: Page, username: string, password: string): Promise<{ post: Page; next: Page }> {
  const form = loginForm(page)!;
  const post = await b.request(form.action, { method: 'POST', form: { ...form.fields, username, password } });
  assert.equal(post.status, 303);
  const next = await b.request(new URL(post.headers.get('location')!, form.action).href);
  return { post, next };
}

describe('login page', () => {
  test('shows the tenant, its colour and the client; strict headers; no script', async () => {
    const page = await openLogin(new Browser());
    assert.match(page.body, /Acme Corporation/);
    assert.match(page.body, /#0a7d4f/);
    assert.ok(page.body.includes('Acme &lt;Web&gt; &amp; &quot;Co&quot;'), 'client name escaped');
    assert.ok(!page.body.includes('<Web>'));
    assert.doesNotMatch(page.body, /<script/i);
    const form = loginForm(page)!;
    assert.equal(form.method, 'post');
    assert.ok(form.fields.csrf_token && form.fields.csrf_token.length > 20);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'nonce-[^']+'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self' https:\/\/rp\.example\.com/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.headers.get('content-type')!, /text\/html; charset=utf-8/);
  });

  test('login_hint prefills the username (escaped)', async () => {
    const page = await openLogin(new Browser(), { login_hint: 'alice"><b>x' });
    assert.equal(loginForm(page)!.fields.username, 'alice"><b>x');
    assert.ok(!page.body.includes('"><b>x'));
  });

  test('a wrong password and an unknown user get the same message, after a 303', async () => {
    const b = new Browser();
    const wrong = await postLogin(b, await openLogin(b), 'alice', 'not the password');
    const b2 = new Browser();
    const unknown = await postLogin(b2, await openLogin(b2), 'nobody-here', 'not the password');
    assert.equal(wrong.next.status, 200);
    const m1 = alertText(wrong.next);
    const m2 = alertText(unknown.next);
    assert.ok(m1 && m1.length > 10, 'a message is shown');
    assert.equal(m1, m2);
    assert.doesNotMatch(m1!, /exist|unknown|not found/i);
    assert.equal(loginForm(wrong.next)!.fields.username, 'alice');
    assert.equal(b.cookie('gh_session'), undefined);
    // The message is shown once.
    const again = await b.request(wrong.next.url);
    assert.equal(alertText(again), undefined);
  });

  test('CSRF token missing or wrong, or a form from another browser: refused', async () => {
    const b = new Browser();
    const page = await openLogin(b);
    const form = loginForm(page)!;
    const { csrf_token: _, ...noCsrf } = form.fields;
    const missing = await b.request(form.action, { method: 'POST', form: { ...noCsrf, username: 'alice', password: PASSWORD } });
    assert.equal(missing.status, 403);
    const wrong = await b.request(form.action, {
      method: 'POST',
      form: { ...form.fields, csrf_token: 'x'.repeat(43), username: 'alice', password: PASSWORD },
    });
    assert.equal(wrong.status, 403);
    const elsewhere = await new Browser().request(form.action, {
      method: 'POST',
      form: { ...form.fields, username: 'alice', password: PASSWORD },
    });
    assert.equal(elsewhere.status, 400);
    for (const p of [missing, wrong, elsewhere]) {
      assert.equal(p.headers.get('location'), null);
      assert.equal(p.headers.getSetCookie().length, 0);
      assert.match(p.headers.get('content-type')!, /text\/html/);
    }
    // The genuine form still works afterwards.
    const ok = await b.request(form.action, { method: 'POST', form: { ...form.fields, username: 'alice', password: PASSWORD } });
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get('location')!, /\/authorize\/resume\//);
  });

  test('a token from one interaction does not work in another', async () => {
    const b = new Browser();
    const first = loginForm(await openLogin(b))!;
    const second = loginForm(await openLogin(b))!;
    const res = await b.request(second.action, {
      method: 'POST',
      form: { ...second.fields, csrf_token: first.fields.csrf_token!, username: 'alice', password: PASSWORD },
    });
    assert.equal(res.status, 403);
  });

  test('five failures are allowed; the sixth locks the username out with the same message', async () => {
    const b = new Browser();
    let page = await openLogin(b);
    for (let i = 0; i < 5; i++) page = (await postLogin(b, page, 'carol', `wrong-${i}`)).next;
    const ok = await postLogin(b, page, 'carol', PASSWORD);
    assert.match(ok.post.headers.get('location')!, /\/authorize\/resume\//, 'the right password works after five failures');

    const b2 = new Browser();
    page = await openLogin(b2);
    let failureMessage: string | undefined;
    for (let i = 0; i < 6; i++) {
      page = (await postLogin(b2, page, 'dave', `wrong-${i}`)).next;
      failureMessage = alertText(page);
    }
    const locked = await postLogin(b2, page, 'dave', PASSWORD);
    assert.match(locked.post.headers.get('location')!, /\/interaction\//, 'locked out: back to the page');
    assert.equal(alertText(locked.next), failureMessage);
    assert.equal(b2.cookie('gh_session'), undefined);
    const rec = await acme().loginAttempts.find('dave');
    assert.ok(rec?.lockedUntil && new Date(rec.lockedUntil) > new Date());

    // Unknown usernames are counted the same way (the lock-out reveals nothing).
    const b3 = new Browser();
    page = await openLogin(b3);
    for (let i = 0; i < 6; i++) page = (await postLogin(b3, page, 'ghost', `wrong-${i}`)).next;
    const ghost = await acme().loginAttempts.find('ghost');
    assert.ok(ghost?.lockedUntil && new Date(ghost.lockedUntil) > new Date());
  });

  test('a disabled user cannot log in', async () => {
    const id = await createUser(srv, 'acme', 'frank', PASSWORD);
    await gqlOk(srv, `mutation($t: String!, $id: ID!) { disableUser(tenant: $t, id: $id) { id } }`, { t: 'acme', id });
    const b = new Browser();
    const res = await postLogin(b, await openLogin(b), 'frank', PASSWORD);
    assert.match(res.post.headers.get('location')!, /\/interaction\//);
    assert.ok(alertText(res.next));
    assert.equal(b.cookie('gh_session'), undefined);
  });

  test('a user of tenant A cannot log in at tenant B; the same username there is another person', async () => {
    const b = new Browser();
    const page = await openLogin(b, { client_id: fx.globexWeb.clientId }, 'globex');
    assert.match(page.body, /Globex/);
    const refused = await postLogin(b, page, 'alice', PASSWORD);
    assert.ok(alertText(refused.next));
    const end = await runFlow(new Browser(), authorizeUrl(srv, 'globex', params({ client_id: fx.globexWeb.clientId })), {
      username: 'alice',
      password: GLOBEX_PASSWORD,
      consent: 'allow',
    });
    const code = redirectParams(end).get('code')!;
    const tokens = await exchange(code, fx.globexWeb.clientId, fx.globexWeb.clientSecret!, 'globex');
    const claims = decodeJwt(tokens.id_token);
    assert.equal(claims.iss, srv.issuer('globex'));
    assert.notEqual(claims.sub, fx.users.alice);
  });
});

describe('consent', () => {
  test('lists the scopes in words; deny ends with access_denied (with iss and state)', async () => {
    let consentPage: Page | undefined;
    const state = randomValue();
    const end = await flow(
      new Browser(),
      { state, scope: 'openid email api:read api:write' },
      {
        username: 'alice',
        password: PASSWORD,
        consent: 'deny',
        onPage: (kind, page) => {
          if (kind === 'consent') consentPage = page;
        },
      },
    );
    const p = redirectParams(end);
    assert.equal(p.get('error'), 'access_denied');
    assert.equal(p.get('state'), state);
    assert.equal(p.get('iss'), srv.issuer('acme'));
    assert.ok(consentPage);
    assert.match(consentPage.body, /Your email address/);
    assert.match(consentPage.body, /Know who you are/);
    assert.match(consentPage.body, /Read your projects/, "a tenant-defined scope in the tenant's words");
    assert.match(consentPage.body, /See the projects and tasks in your Acme workspace\./);
    assert.match(consentPage.body, /api:write/, 'an undefined scope by its name');
    assert.match(consentPage.body, /alice/);
    assert.match(consentPage.body, /Acme Corporation/);
    const form = consentForm(consentPage)!;
    assert.deepEqual(form.buttons.map((x) => x.value).sort(), ['allow', 'deny']);
    assert.ok(form.fields.csrf_token);
    assert.equal(consentPage.headers.get('x-frame-options'), 'DENY');
  });

  test('allow: stored per user and client with an expiry, reused next time, asked again with prompt=consent', async () => {
    const b = new Browser();
    const first = await flow(b, { scope: 'openid profile' }, { username: 'bob', password: PASSWORD, consent: 'allow' });
    assert.deepEqual(first.seen, ['login', 'consent']);
    assert.ok(redirectParams(first).get('code'));
    const stored = await acme().consents.find(fx.users.bob, fx.web.clientId);
    assert.ok(stored);
    assert.deepEqual([...stored.scopes].sort(), ['openid', 'profile']);
    const days = (new Date(stored.expiresAt).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 89 && days <= 90, `expires in ${days} days`);

    const second = await flow(b, { scope: 'openid profile' }, {});
    assert.deepEqual(second.seen, []);
    assert.ok(redirectParams(second).get('code'));

    const wider = await flow(b, { scope: 'openid profile email' }, {});
    assert.equal(wider.kind, 'page');
    assert.deepEqual(wider.seen, ['consent'], 'a new scope needs consent');

    const silent = await flow(b, { scope: 'openid profile email', prompt: 'none' }, {});
    assert.equal(redirectParams(silent).get('error'), 'consent_required');

    const forced = await flow(b, { scope: 'openid profile', prompt: 'consent' }, { consent: 'allow' });
    assert.deepEqual(forced.seen, ['consent']);
    assert.ok(redirectParams(forced).get('code'));
  });

  test('reuseConsent=false asks every time; requireConsent=false does not ask', async () => {
    const b = new Browser();
    const a = await flow(b, { client_id: fx.forgetful.clientId }, { username: 'alice', password: PASSWORD, consent: 'allow' });
    assert.deepEqual(a.seen, ['login', 'consent']);
    const again = await flow(b, { client_id: fx.forgetful.clientId }, { consent: 'allow' });
    assert.deepEqual(again.seen, ['consent']);
    assert.ok(redirectParams(again).get('code'));
    const trusted = await flow(b, { client_id: fx.trusted.clientId }, {});
    assert.deepEqual(trusted.seen, []);
    assert.ok(redirectParams(trusted).get('code'));
  });

  test('offline_access is granted only with prompt=consent', async () => {
    const b = new Browser();
    const plain = await flow(
      b,
      { client_id: fx.trusted.clientId, scope: 'openid offline_access' },
      { username: 'alice', password: PASSWORD },
    );
    const t1 = await exchange(redirectParams(plain).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!);
    assert.equal(t1.refresh_token, undefined);
    assert.ok(!String(t1.scope ?? '').includes('offline_access'));
    const consented = await flow(
      b,
      { client_id: fx.trusted.clientId, scope: 'openid offline_access', prompt: 'consent' },
      { consent: 'allow' },
    );
    assert.deepEqual(consented.seen, ['consent'], 'prompt=consent asks even where consent is otherwise skipped');
    const t2 = await exchange(redirectParams(consented).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!);
    assert.ok(t2.refresh_token, 'a refresh token with prompt=consent');
  });

  test('the consent form is refused without its CSRF token', async () => {
    const b = new Browser();
    const end = await flow(b, { scope: 'openid phone' }, { username: 'alice', password: PASSWORD });
    assert.equal(end.kind, 'page');
    const form = consentForm((end as { page: Page }).page)!;
    const res = await b.request(form.action, { method: 'POST', form: { decision: 'allow' } });
    assert.equal(res.status, 403);
    const stored = await acme().consents.find(fx.users.alice, fx.web.clientId);
    assert.ok(!stored?.scopes.includes('phone'));
  });
});

describe('sessions', () => {
  test('cookie scoped to the tenant path, HttpOnly, SameSite=Lax; only a hash is stored', async () => {
    const b = new Browser();
    const end = await flow(b, { client_id: fx.trusted.clientId }, { username: 'alice', password: PASSWORD });
    const tokens = await exchange(redirectParams(end).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!);
    const c = b.cookie('gh_session')!;
    assert.ok(c);
    assert.equal(c.path, '/t/acme');
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Lax');
    assert.equal(c.secure, false);
    const rec = await acme().loginSessions.findByCookieHash(srv.rt.envelope.hashSecret(c.value));
    assert.ok(rec);
    assert.ok(!JSON.stringify(rec).includes(c.value), 'the cookie value is not stored');
    assert.notEqual(rec.sid, c.value);
    assert.equal(rec.userId, fx.users.alice);
    assert.deepEqual(rec.amr, ['pwd']);
    assert.ok(rec.clientIds.includes(fx.trusted.clientId));
    const claims = decodeJwt(tokens.id_token);
    assert.equal(claims.sid, rec.sid);
    assert.equal(claims.auth_time, Math.floor(new Date(rec.authTime).getTime() / 1000));
  });

  test('prompt=login and max_age force a new login; auth_time moves on', async () => {
    const b = new Browser();
    const first = await flow(b, { client_id: fx.trusted.clientId }, { username: 'alice', password: PASSWORD });
    const t1 = decodeJwt((await exchange(redirectParams(first).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!)).id_token);

    const reuse = await flow(b, { client_id: fx.trusted.clientId, max_age: '3600' }, {});
    assert.deepEqual(reuse.seen, []);

    srv.clock.advance(2100);
    const old = await flow(b, { client_id: fx.trusted.clientId, max_age: '1' }, { username: 'alice', password: PASSWORD });
    assert.deepEqual(old.seen, ['login']);
    const t2 = decodeJwt((await exchange(redirectParams(old).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!)).id_token);
    assert.ok((t2.auth_time as number) > (t1.auth_time as number));

    const silentOld = await flow(b, { client_id: fx.trusted.clientId, max_age: '0', prompt: 'none' }, {});
    assert.equal(redirectParams(silentOld).get('error'), 'login_required');

    const forced = await flow(b, { client_id: fx.trusted.clientId, prompt: 'login' }, { username: 'alice', password: PASSWORD });
    assert.deepEqual(forced.seen, ['login']);
    assert.ok(redirectParams(forced).get('code'));

    const silent = await flow(b, { client_id: fx.trusted.clientId, prompt: 'none' }, {});
    assert.ok(redirectParams(silent).get('code'), 'prompt=none with a session and consent succeeds');
  });

  test('a session of tenant A never counts at tenant B', async () => {
    const b = new Browser();
    await flow(b, { client_id: fx.trusted.clientId }, { username: 'alice', password: PASSWORD });
    const acmeCookie = b.cookie('gh_session')!;
    const atGlobex = await flow(b, { client_id: fx.globexWeb.clientId, prompt: 'none' }, {}, 'globex');
    assert.equal(redirectParams(atGlobex).get('error'), 'login_required');
    // Even a cookie replayed at the other tenant's path is not a session there.
    const res = await fetch(authorizeUrl(srv, 'globex', params({ client_id: fx.globexWeb.clientId, prompt: 'none' })), {
      headers: { cookie: `gh_session=${acmeCookie.value}` },
      redirect: 'manual',
    });
    assert.equal(responseParams(res.headers.get('location')!).get('error'), 'login_required');
  });

  test('id_token_hint: the hinted user must be the session user', async () => {
    const b = new Browser();
    const end = await flow(b, { client_id: fx.trusted.clientId }, { username: 'alice', password: PASSWORD });
    const aliceIdToken = (await exchange(redirectParams(end).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!))
      .id_token as string;
    const ok = await flow(b, { client_id: fx.trusted.clientId, prompt: 'none', id_token_hint: aliceIdToken }, {});
    assert.ok(redirectParams(ok).get('code'));

    const other = new Browser();
    await flow(other, { client_id: fx.trusted.clientId }, { username: 'bob', password: PASSWORD });
    const silent = await flow(other, { client_id: fx.trusted.clientId, prompt: 'none', id_token_hint: aliceIdToken }, {});
    assert.equal(redirectParams(silent).get('error'), 'login_required');
    const interactive = await flow(other, { client_id: fx.trusted.clientId, id_token_hint: aliceIdToken }, {});
    assert.deepEqual(interactive.seen, ['login'], 'asked to sign in as the hinted user');
    const wrongUser = await flow(
      other,
      { client_id: fx.trusted.clientId, id_token_hint: aliceIdToken },
      { username: 'bob', password: PASSWORD },
    );
    assert.equal(redirectParams(wrongUser).get('error'), 'login_required');
    const rightUser = await flow(
      other,
      { client_id: fx.trusted.clientId, id_token_hint: aliceIdToken },
      { username: 'alice', password: PASSWORD },
    );
    assert.ok(redirectParams(rightUser).get('code'));

    // A hint issued to another client is not accepted.
    const forWeb = await flow(b, { client_id: fx.web.clientId, id_token_hint: aliceIdToken }, {});
    assert.equal(redirectParams(forWeb).get('error'), 'invalid_request');
  });

  test('prompt=select_account: continue as the current user, or switch accounts', async () => {
    const b = new Browser();
    await flow(b, { client_id: fx.trusted.clientId }, { username: 'alice', password: PASSWORD });
    let accountPage: Page | undefined;
    const kept = await flow(
      b,
      { client_id: fx.trusted.clientId, prompt: 'select_account' },
      {
        selectAccount: 'continue',
        onPage: (kind, page) => {
          if (kind === 'select_account') accountPage = page;
        },
      },
    );
    assert.deepEqual(kept.seen, ['select_account']);
    assert.match(accountPage!.body, /alice/);
    assert.ok(parseForms(accountPage!.body, accountPage!.url)[0]!.fields.csrf_token);
    const t = decodeJwt((await exchange(redirectParams(kept).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!)).id_token);
    assert.equal(t.sub, fx.users.alice);

    const switched = await flow(
      b,
      { client_id: fx.trusted.clientId, prompt: 'select_account' },
      { selectAccount: 'switch', username: 'bob', password: PASSWORD },
    );
    assert.deepEqual(switched.seen, ['select_account', 'login']);
    const t2 = decodeJwt((await exchange(redirectParams(switched).get('code')!, fx.trusted.clientId, fx.trusted.clientSecret!)).id_token);
    assert.equal(t2.sub, fx.users.bob);

    const fresh = await flow(
      new Browser(),
      { client_id: fx.trusted.clientId, prompt: 'select_account' },
      { username: 'alice', password: PASSWORD },
    );
    assert.deepEqual(fresh.seen, ['login'], 'without a session there is only the login page');
  });

  test('an interaction cannot be resumed twice, and a finished one is gone', async () => {
    const b = new Browser();
    const page = await openLogin(b, { client_id: fx.trusted.clientId });
    const form = loginForm(page)!;
    const post = await b.request(form.action, { method: 'POST', form: { ...form.fields, username: 'alice', password: PASSWORD } });
    const resumeUrl = post.headers.get('location')!;
    const first = await b.request(resumeUrl);
    assert.equal(first.status, 303);
    assert.ok(first.headers.get('location')!.startsWith(RP));
    const second = await b.request(resumeUrl);
    assert.equal(second.status, 400);
    const pageAgain = await b.request(page.url);
    assert.equal(pageAgain.status, 400);
  });
});

describe('behind https', () => {
  test('cookies are Secure when PUBLIC_URL is https', async () => {
    const secure = await startTestServer({ label: 'secure', env: { PUBLIC_URL: 'https://id.example.test' } });
    try {
      await createTenant(secure, 'acme', 'Acme');
      const client = await createClient(secure, 'acme', {
        name: 'web',
        clientType: 'CONFIDENTIAL',
        redirectUris: [RP],
        requireConsent: false,
      });
      await createUser(secure, 'acme', 'alice', PASSWORD);
      const local = (u: string) => u.replace('https://id.example.test', secure.url);
      const res = await fetch(
        `${secure.url}/t/acme/authorize?${new URLSearchParams({ client_id: client.clientId, redirect_uri: RP, response_type: 'code', scope: 'openid' })}`,
        { redirect: 'manual' },
      );
      assert.equal(res.status, 303);
      const pageUrl = res.headers.get('location')!;
      assert.ok(pageUrl.startsWith('https://id.example.test/t/acme/interaction/'));
      const setCookies = res.headers.getSetCookie();
      for (const c of setCookies) assert.match(c, /; Secure/);
      const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
      const page = await fetch(local(pageUrl), { headers: { cookie } });
      const html = await page.text();
      const form = parseForms(html, pageUrl)[0]!;
      const login = await fetch(local(form.action), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, username: 'alice', password: PASSWORD }),
        redirect: 'manual',
      });
      assert.equal(login.status, 303);
      const session = login.headers.getSetCookie().find((c) => c.startsWith('gh_session='))!;
      assert.match(session, /Path=\/t\/acme;/);
      assert.match(session, /HttpOnly/);
      assert.match(session, /SameSite=Lax/);
      assert.match(session, /; Secure/);
    } finally {
      await secure.close();
    }
  });
});
