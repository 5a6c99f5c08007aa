import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The browser the tests drive: the system's Chromium (Debian package `chromium`; .ci/run installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

function chromiumMissing(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return false;
  } catch {
    return true;
  }
}

/**
 * The `skip` option for browser tests: a reason (the test is skipped, and the reason names the
 * missing executable) when Chromium is absent on a developer machine; `false` otherwise. Under
 * CI=true a missing browser is never a skip: the tests run and fail with launchChromium's message,
 * so CI cannot go green without its browser tests.
 */
export const browserSkip: string | false =
  chromiumMissing() && process.env.CI !== 'true'
    ? `browser test skipped: no executable ${CHROMIUM_PATH} (install the Debian package "chromium"; under CI=true this fails)`
    : false;

/** Headless Chromium as the browser tests run it; a clear error (not playwright's) when it is missing. */
export function launchChromium(): Promise<Browser> {
  if (chromiumMissing()) {
    return Promise.reject(new Error(`browser tests need Chromium at ${CHROMIUM_PATH} (Debian package "chromium"), which is missing`));
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
