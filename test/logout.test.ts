import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { onAfterEndSession, type EndSessionEvent } from '../src/sessions/logout-hooks.js';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { Browser, parseForms, type Page, type ParsedForm } from './helpers/browser-fetch.js';
import { signIn, silentCheck, type RpClient } from './helpers/rp-session.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * RP-Initiated Logout 1.0 at `{issuer}/end_session`: trusted requests (a valid
 * id_token_hint of the current session) end the session at once and return to a
 * registered post_logout_redirect_uri with state; anything else asks the user on a
 * CSRF-protected page and never redirects to a URI that was not validated.
 */
const RP_CB = 'https://rp.example.com/cb';
const RP_OUT = 'https://rp.example.com/logged-out';
const OTHER_CB = 'https://other.example.com/cb';
const OTHER_OUT = 'https://other.example.com/bye?from=gatehouse';
const PASSWORD = 'logout test password 1';

let srv: TestServer;
let web: RpClient;
let other: RpClient;
let hs: RpClient;
let globexWeb: RpClient;
let briefWeb: RpClient;

const alice = { username: 'alice', password: PASSWORD };

before(async () => {
  srv = await startTestServer({ label: 'logout' });
  await Promise.all([
    createTenant(srv, 'acme', 'Acme Corporation', { branding: { primaryColor: '#0a7d4f' } }),
    createTenant(srv, 'globex', 'Globex'),
    createTenant(srv, 'brief', 'Brief Tokens', { settings: { idTokenTtl: 1 } }),
  ]);
  const base = { clientType: 'CONFIDENTIAL', requireConsent: false, scopes: ['openid', 'profile', 'offline_access'] };
  const [w, o, h, g, b] = await Promise.all([
    createClient(srv, 'acme', { ...base, name: 'Acme Web', redirectUris: [RP_CB], postLogoutRedirectUris: [RP_OUT] }),
    createClient(srv, 'acme', { ...base, name: 'Acme Other', redirectUris: [OTHER_CB], postLogoutRedirectUris: [OTHER_OUT] }),
    createClient(srv, 'acme', {
      ...base,
      name: 'Acme HS',
      redirectUris: [RP_CB],
      postLogoutRedirectUris: [RP_OUT],
      idTokenSignedResponseAlg: 'HS256',
    }),
    createClient(srv, 'globex', { ...base, name: 'Globex Web', redirectUris: [RP_CB], postLogoutRedirectUris: [RP_OUT] }),
    createClient(srv, 'brief', { ...base, name: 'Brief Web', redirectUris: [RP_CB], postLogoutRedirectUris: [RP_OUT] }),
  ]);
  web = { ...w, redirectUri: RP_CB };
  other = { ...o, redirectUri: OTHER_CB };
  hs = { ...h, redirectUri: RP_CB, idTokenAlg: 'HS256' };
  globexWeb = { ...g, redirectUri: RP_CB };
  briefWeb = { ...b, redirectUri: RP_CB };
  await Promise.all([
    createUser(srv, 'acme', 'alice', PASSWORD, { name: 'Alice' }),
    createUser(srv, 'acme', 'bob', PASSWORD, { name: 'Bob' }),
    createUser(srv, 'globex', 'alice', PASSWORD),
    createUser(srv, 'brief', 'alice', PASSWORD),
  ]);
});
after(async () => {
  await srv?.close();
});

const endSessionUrl = (slug: string) => `${srv.issuer(slug)}/end_session`;

function confirmForm(page: Page): ParsedForm | undefined {
  return parseForms(page.body, page.url).find((f) => f.buttons.some((b) => b.name === 'decision'));
}

function clearsSessionCookie(page: Page, slug: string): boolean {
  return page.headers.getSetCookie().some((c) => c.startsWith('gh_session=;') && c.includes(`Path=/t/${slug}`) && c.includes('Max-Age=0'));
}

async function userinfoStatus(slug: string, accessToken: string): Promise<number> {
  return (await fetch(`${srv.issuer(slug)}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
}

describe('discovery', () => {
  test('announces end_session_endpoint, check_session_iframe and front/back-channel logout', async () => {
    const meta = (await (await fetch(`${srv.issuer('acme')}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.end_session_endpoint, endSessionUrl('acme'));
    assert.equal(meta.check_session_iframe, `${srv.issuer('acme')}/check_session`);
    assert.equal(meta.frontchannel_logout_supported, true);
    assert.equal(meta.frontchannel_logout_session_supported, true);
    assert.equal(meta.backchannel_logout_supported, true);
    assert.equal(meta.backchannel_logout_session_supported, true);
  });
});

describe('trusted logout (valid id_token_hint of the current session)', () => {
  test('GET: 303 to the registered post_logout_redirect_uri with state; the session is gone', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null, 'signed in before the logout');
    const url = oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT, state: 'st-123' });
    assert.equal(url.href.startsWith(endSessionUrl('acme')), true, 'openid-client found the endpoint in discovery');
    const page = await browser.request(url.href);
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `${RP_OUT}?state=st-123`);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.ok(clearsSessionCookie(page, 'acme'), 'the session cookie is cleared on its path');
    assert.equal(browser.cookie('gh_session'), undefined);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required', 'prompt=none after logout');
  });

  test('POST form: 303 as well; a redirect URI with its own query keeps it', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', other, alice);
    const page = await browser.request(endSessionUrl('acme'), {
      form: { id_token_hint: s.idToken, post_logout_redirect_uri: OTHER_OUT, state: 'a b&c' },
    });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `${OTHER_OUT}&state=a+b%26c`);
    assert.equal(await silentCheck(srv, browser, 'acme', other), 'login_required');
  });

  test('a cross-site POST (no SameSite=Lax cookie sent) is resent as a GET that carries the cookie', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    const form = { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT, state: 'xs' };
    const res = await fetch(endSessionUrl('acme'), { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, endSessionUrl('acme'));
    assert.deepEqual(Object.fromEntries(location.searchParams), form);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null, 'nothing ended yet');
    const page = await browser.request(location.href);
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `${RP_OUT}?state=xs`);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
  });

  test('without post_logout_redirect_uri: the signed-out page', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken }).href);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('location'), null);
    assert.match(page.body, /You are signed out/);
    assert.match(page.body, /Acme Corporation/);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
  });

  test('an unregistered post_logout_redirect_uri: logged out, no redirect, the signed-out page', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    for (const uri of ['https://evil.example.com/steal', `${RP_OUT}/`, RP_OUT.toUpperCase(), OTHER_OUT]) {
      const url = oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: uri, state: 'x' });
      const page = await browser.request(url.href);
      assert.equal(page.status, 200, uri);
      assert.equal(page.headers.get('location'), null, uri);
      assert.match(page.body, /You are signed out/);
      assert.doesNotMatch(page.body, /evil\.example\.com|other\.example\.com/);
    }
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
  });

  test('an expired id_token_hint is accepted', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'brief', briefWeb, alice);
    const exp = decodeJwt(s.idToken).exp!;
    while (Date.now() / 1000 <= exp + 1) await sleep(200);
    const page = await browser.request(
      oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT, state: 'late' }).href,
    );
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `${RP_OUT}?state=late`);
    assert.equal(await silentCheck(srv, browser, 'brief', briefWeb), 'login_required');
  });

  test('an HS256 ID token (signed with the client secret) is a valid hint', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', hs, alice);
    const page = await browser.request(
      oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT }).href,
    );
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), RP_OUT);
  });

  test('grants of the session are revoked, offline_access ones survive', async () => {
    const browser = new Browser();
    const online = await signIn(srv, browser, 'acme', web, alice);
    const offline = await signIn(srv, browser, 'acme', other, { ...alice, offline: true });
    assert.ok(offline.tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');
    assert.equal(await userinfoStatus('acme', online.tokens.access_token), 200);
    const page = await browser.request(
      oidc.buildEndSessionUrl(online.config, { id_token_hint: online.idToken, post_logout_redirect_uri: RP_OUT }).href,
    );
    assert.equal(page.status, 303);
    assert.equal(await userinfoStatus('acme', online.tokens.access_token), 401, 'the session-bound grant is revoked');
    const refreshed = await oidc.refreshTokenGrant(offline.config, offline.tokens.refresh_token!);
    assert.ok(refreshed.access_token, 'the offline_access refresh token outlives the session');
    assert.equal(await userinfoStatus('acme', refreshed.access_token), 200);
  });

  test('the after-end-session hook sees the ended session', async () => {
    const seen: EndSessionEvent[] = [];
    const off = onAfterEndSession(srv.rt, (_rt, e) => {
      seen.push(e);
    });
    const failing = onAfterEndSession(srv.rt, () => {
      throw new Error('a broken hook does not break logout');
    });
    try {
      const browser = new Browser();
      const s = await signIn(srv, browser, 'acme', web, alice);
      await signIn(srv, browser, 'acme', other, alice);
      const page = await browser.request(
        oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT, state: 'h' }).href,
      );
      assert.equal(page.status, 303);
      assert.equal(seen.length, 1);
      const e = seen[0]!;
      assert.equal(e.tenant.slug, 'acme');
      assert.equal(e.sid, s.sid);
      assert.equal(e.clientId, web.clientId);
      assert.deepEqual([...e.clientIds].sort(), [web.clientId, other.clientId].sort());
      assert.equal(e.postLogoutRedirectUri, RP_OUT);
      assert.equal(e.state, 'h');
      assert.equal(e.confirmed, false);
      assert.equal(e.revokedGrants, 2);
    } finally {
      off();
      failing();
    }
  });
});

describe('untrusted requests ask the user', () => {
  test('no id_token_hint: a branded confirmation page that works without JavaScript', async () => {
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(endSessionUrl('acme'));
    assert.equal(page.status, 200);
    assert.match(page.body, /Do you want to log out\?/);
    assert.match(page.body, /Acme Corporation/);
    assert.match(page.body, /alice/);
    assert.doesNotMatch(page.body, /<script/);
    const form = confirmForm(page)!;
    assert.ok(form, 'a form with the decision buttons');
    assert.equal(form.method.toLowerCase(), 'post');
    assert.equal(form.action, endSessionUrl('acme'));
    assert.ok(form.fields.csrf_token, 'the form carries a CSRF token');
    // Exactly one submit button, clearly labelled (automated browsers click it).
    assert.deepEqual(
      form.buttons.map((b) => b.value),
      ['logout'],
    );
    assert.match(page.body, /<button[^>]*type="submit"[^>]*>Log out<\/button>/);
    assert.equal((page.body.match(/type="submit"/g) ?? []).length, 1);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null, 'nothing ended before the user answered');

    const done = await browser.request(form.action, { form: { ...form.fields, decision: 'logout' } });
    assert.equal(done.status, 200);
    assert.match(done.body, /You are signed out/);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
  });

  test('post_logout_redirect_uri without a way to identify the client: no redirect', async () => {
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(`${endSessionUrl('acme')}?${new URLSearchParams({ post_logout_redirect_uri: RP_OUT, state: 's' })}`);
    const form = confirmForm(page)!;
    assert.ok(form);
    const done = await browser.request(form.action, { form: { ...form.fields, decision: 'logout' } });
    assert.equal(done.status, 200);
    assert.equal(done.headers.get('location'), null);
    assert.match(done.body, /You are signed out/);
  });

  test('client_id with its registered URI (no hint): confirmation, then 303 with state', async () => {
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ client_id: web.clientId, post_logout_redirect_uri: RP_OUT, state: 'cid' })}`,
    );
    assert.equal(page.status, 200);
    assert.match(page.body, /Acme Web/, 'the page names the client that asks');
    assert.match(
      page.headers.get('content-security-policy')!,
      /form-action 'self' https:\/\/rp\.example\.com/,
      'the redirect after the POST is allowed',
    );
    const form = confirmForm(page)!;
    assert.equal(form.fields.post_logout_redirect_uri, RP_OUT);
    const done = await browser.request(form.action, { form: { ...form.fields, decision: 'logout' } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${RP_OUT}?state=cid`);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
  });

  test('"Stay signed in" keeps the session and returns to a validated URI', async () => {
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ client_id: web.clientId, post_logout_redirect_uri: RP_OUT, state: 'keep' })}`,
    );
    const form = confirmForm(page)!;
    // The page offers a plain link back; a POST with decision=stay is still understood.
    assert.ok(page.body.includes(`href="${RP_OUT}?state=keep"`), 'a Stay signed in link to the validated URI');
    const done = await browser.request(form.action, { form: { ...form.fields, decision: 'stay' } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${RP_OUT}?state=keep`);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null, 'still signed in');

    const bare = await browser.request(endSessionUrl('acme'));
    const stayed = await browser.request(endSessionUrl('acme'), { form: { ...confirmForm(bare)!.fields, decision: 'stay' } });
    assert.equal(stayed.status, 200);
    assert.match(stayed.body, /still signed in/);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null);
  });

  test('a forged id_token_hint: confirmation page, never the redirect', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    const [h, p] = s.idToken.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s.idToken.split('.')[2]}`;
    const selfSigned = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    for (const hint of [tampered, selfSigned, 'not-a-jwt']) {
      const page = await browser.request(
        `${endSessionUrl('acme')}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: RP_OUT, state: 'f' })}`,
      );
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('location'), null);
      assert.ok(confirmForm(page), 'the user is asked');
      assert.doesNotMatch(page.headers.get('content-security-policy')!, /rp\.example\.com/);
    }
    assert.equal(await silentCheck(srv, browser, 'acme', web), null, 'nothing ended');
    const page = await browser.request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ id_token_hint: tampered, post_logout_redirect_uri: RP_OUT, state: 'f' })}`,
    );
    const done = await browser.request(endSessionUrl('acme'), { form: { ...confirmForm(page)!.fields, decision: 'logout' } });
    assert.equal(done.status, 200, 'confirmed: logged out, but still no redirect');
    assert.equal(done.headers.get('location'), null);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
  });

  test('an id_token_hint of another tenant: confirmation, no redirect', async () => {
    const elsewhere = new Browser();
    const g = await signIn(srv, elsewhere, 'globex', globexWeb, alice);
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ id_token_hint: g.idToken, post_logout_redirect_uri: RP_OUT })}`,
    );
    assert.equal(page.status, 200);
    assert.ok(confirmForm(page));
    assert.equal(page.headers.get('location'), null);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null);
  });

  test('an id_token_hint of an earlier session (or another user) asks the user', async () => {
    const browser = new Browser();
    const first = await signIn(srv, browser, 'acme', web, alice);
    await browser.request(oidc.buildEndSessionUrl(first.config, { id_token_hint: first.idToken }).href);
    await signIn(srv, browser, 'acme', web, { username: 'bob', password: PASSWORD });
    const page = await browser.request(
      oidc.buildEndSessionUrl(first.config, { id_token_hint: first.idToken, post_logout_redirect_uri: RP_OUT }).href,
    );
    assert.equal(page.status, 200);
    assert.match(page.body, /bob/);
    const form = confirmForm(page)!;
    assert.ok(form);
    // The hint was genuine, only not of this session: after the user's yes, the RP gets its user back.
    const done = await browser.request(form.action, { form: { ...form.fields, decision: 'logout' } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), RP_OUT);
  });

  test('a logout_hint naming someone else asks the user', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    const asked = await browser.request(oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, logout_hint: 'bob' }).href);
    assert.equal(asked.status, 200);
    assert.ok(confirmForm(asked));
    const trusted = await browser.request(
      oidc.buildEndSessionUrl(s.config, {
        id_token_hint: s.idToken,
        logout_hint: 'alice',
        post_logout_redirect_uri: RP_OUT,
        ui_locales: 'de en',
      }).href,
    );
    assert.equal(trusted.status, 303);
  });
});

describe('refused requests', () => {
  test('client_id that contradicts the id_token_hint: an error page, still signed in', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    const page = await browser.request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ id_token_hint: s.idToken, client_id: other.clientId, post_logout_redirect_uri: OTHER_OUT })}`,
    );
    assert.equal(page.status, 400);
    assert.equal(page.headers.get('location'), null);
    assert.match(page.body, /invalid_request/);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null);
    const matching = await browser.request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ id_token_hint: s.idToken, client_id: web.clientId, post_logout_redirect_uri: RP_OUT })}`,
    );
    assert.equal(matching.status, 303, 'the same client_id as the hint is fine');
  });

  test('CSRF: the confirmation is refused without the page’s token, or with another session’s', async () => {
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const other = new Browser();
    await signIn(srv, other, 'acme', web, { username: 'bob', password: PASSWORD });
    const foreignToken = confirmForm(await other.request(endSessionUrl('acme')))!.fields.csrf_token!;

    const attempts: Record<string, string>[] = [
      { decision: 'logout' },
      { decision: 'logout', csrf_token: 'forged' },
      { decision: 'logout', csrf_token: foreignToken },
    ];
    for (const form of attempts) {
      const page = await browser.request(endSessionUrl('acme'), { form });
      assert.equal(page.status, 403, JSON.stringify(form));
      assert.equal(page.headers.get('location'), null);
      assert.equal(clearsSessionCookie(page, 'acme'), false);
    }
    assert.equal(await silentCheck(srv, browser, 'acme', web), null, 'still signed in');
    const good = confirmForm(await browser.request(endSessionUrl('acme')))!;
    assert.equal((await browser.request(good.action, { form: { ...good.fields, decision: 'logout' } })).status, 200);
    assert.equal(await silentCheck(srv, browser, 'acme', web), 'login_required');
    assert.equal(await silentCheck(srv, other, 'acme', web), null, 'the other browser is untouched');
  });

  test('repeated parameters and an unknown decision are error pages', async () => {
    const browser = new Browser();
    await signIn(srv, browser, 'acme', web, alice);
    const repeated = await browser.request(`${endSessionUrl('acme')}?state=a&state=b`);
    assert.equal(repeated.status, 400);
    assert.match(repeated.headers.get('content-type')!, /text\/html/);
    const csrf = confirmForm(await browser.request(endSessionUrl('acme')))!.fields.csrf_token!;
    const odd = await browser.request(endSessionUrl('acme'), { form: { csrf_token: csrf, decision: 'maybe' } });
    assert.equal(odd.status, 400);
    assert.equal(await silentCheck(srv, browser, 'acme', web), null);
    const put = await fetch(endSessionUrl('acme'), { method: 'PUT' });
    assert.equal(put.status, 405);
  });
});

describe('without a session', () => {
  test('nothing to confirm: the signed-out page, or the validated redirect', async () => {
    const browser = new Browser();
    const s = await signIn(srv, browser, 'acme', web, alice);
    const first = await browser.request(oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken }).href);
    assert.equal(first.status, 200);
    const again = await browser.request(
      oidc.buildEndSessionUrl(s.config, { id_token_hint: s.idToken, post_logout_redirect_uri: RP_OUT, state: 'again' }).href,
    );
    assert.equal(again.status, 303);
    assert.equal(again.headers.get('location'), `${RP_OUT}?state=again`);
    const fresh = await new Browser().request(endSessionUrl('acme'));
    assert.equal(fresh.status, 200);
    assert.match(fresh.body, /You are signed out/);
    const unvalidated = await new Browser().request(
      `${endSessionUrl('acme')}?${new URLSearchParams({ post_logout_redirect_uri: RP_OUT })}`,
    );
    assert.equal(unvalidated.status, 200);
    assert.equal(unvalidated.headers.get('location'), null);
  });
});
