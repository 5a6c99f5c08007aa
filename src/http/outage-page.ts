import type { Answer } from '../oidc/endpoint.js';
import { RETRY_AFTER } from '../errors/unavailable.js';

/** Browser-facing paths below `/t/{slug}`: an outage there is an HTML page, not JSON. */
const BROWSER_PATH = /^\/t\/[^/]+\/(?:authorize|interaction|end_session|check_session)(?:[/?]|$)/;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>Temporarily unavailable</h1>
<p>Sign-in is briefly unavailable. Please wait a few seconds and try again.</p>
</body></html>
`;

/** Whether a URL (path and query) is one a browser shows as a page. */
export const isBrowserPath = (url: string): boolean => BROWSER_PATH.test(url);

/** The plain 503 page (no tenant branding: the tenant could not be loaded). */
export const OUTAGE_PAGE: Answer = Object.freeze({
  status: 503,
  headers: {
    'Retry-After': RETRY_AFTER,
    'Cache-Control': 'no-store',
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  },
  body: PAGE,
});
