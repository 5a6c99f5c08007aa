import type { Response } from 'express';
import type { OAuthError } from '../../errors/oauth-error.js';
import { escapeHtml, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/**
 * Shown instead of a redirect when the client or redirect_uri cannot be trusted, or when
 * a resumed interaction is no longer valid. Says what went wrong (the error code helps
 * the developer of the application) without inviting the user to retry blindly.
 */
export function sendErrorPage(res: Response, tenant: TenantContext, err: OAuthError): void {
  const unavailable = err.status === 503;
  const status = unavailable ? 503 : err.status >= 500 ? 500 : 400;
  const detail = unavailable
    ? 'Sign-in is briefly unavailable. Please wait a few seconds and try again.'
    : err.status >= 500
      ? 'Something went wrong on our side. Please try again later.'
      : err.errorDescription;
  for (const [k, v] of Object.entries(err.headers)) if (k === 'Retry-After') res.setHeader(k, v);
  sendPage(res, {
    tenant,
    status,
    title: 'This sign-in request cannot continue',
    body: `<p class="lead">The application sent an authorization request that we cannot complete. Return to the application and start again; if the problem persists, contact its developer.</p>
<div class="alert" role="alert"><strong>${escapeHtml(err.error)}</strong>: ${escapeHtml(detail)}</div>`,
  });
}
