import assert from 'node:assert/strict';
import type { DeviceAuthorizationResponse } from 'openid-client';
import { Browser, consentForm, loginForm, parseForms, type Landing } from './browser-fetch.js';

/**
 * The user on a phone, over real HTTP (browser-fetch.ts): opens `verification_uri_complete`,
 * confirms the code, signs in and allows. Returns the consent page's HTML as it was shown
 * (undefined if none was), once the page says to return to the device.
 */
export async function approveOnDevicePage(
  da: DeviceAuthorizationResponse,
  user: { username: string; password: string },
): Promise<string | undefined> {
  const browser = new Browser();
  const origin = new URL(da.verification_uri).origin;
  let landing: Landing = await browser.navigate(da.verification_uri_complete!, origin);
  let shown: string | undefined;
  for (let i = 0; i < 6; i++) {
    assert.equal(landing.kind, 'page');
    const page = (landing as Extract<Landing, { kind: 'page' }>).page;
    const login = loginForm(page);
    const consent = consentForm(page);
    const code = parseForms(page.body, page.url).find((f) => 'user_code' in f.fields);
    if (login) landing = await browser.submit(login, origin, user);
    else if (consent) {
      shown = page.body;
      landing = await browser.submit(consent, origin, {}, { name: 'decision', value: 'allow' });
    } else if (code) landing = await browser.submit(code, origin);
    else {
      assert.match(page.body, /You may return to your device/);
      return shown;
    }
  }
  assert.fail('the device page flow did not end');
}
