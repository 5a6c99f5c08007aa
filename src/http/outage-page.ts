import type { NextFunction, Request, Response } from 'express';
import { RETRY_AFTER, isStoreUnavailable } from '../errors/unavailable.js';

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

/**
 * An outage before the tenant is known (a tenant not yet in this process's memory) on a
 * page a browser shows: a plain 503 page. With a tenant, the pages' own handlers render
 * a branded one; everything else falls through to the JSON error handler.
 */
export function outagePageHandler() {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent || !isStoreUnavailable(err) || !BROWSER_PATH.test(req.originalUrl)) return next(err);
    res.status(503);
    res.setHeader('Retry-After', RETRY_AFTER);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.end(PAGE);
  };
}
