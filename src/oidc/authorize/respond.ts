import type { Response } from 'express';
import { escapeHtml, formTarget, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { ResponseMode } from './context.js';

export interface ResponseTarget {
  tenant: TenantContext;
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

/**
 * Delivers an authorization response (success or error) to a validated redirect URI in
 * the chosen response mode. `iss` is always added (RFC 9207), `state` whenever the
 * request had one.
 */
export function sendAuthorizationResponse(res: Response, target: ResponseTarget, params: Record<string, string>): void {
  const all: Record<string, string> = { ...params };
  if (target.state !== undefined) all.state = target.state;
  all.iss = target.tenant.issuer;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');

  if (target.responseMode === 'form_post') {
    sendFormPost(res, target, all);
    return;
  }
  const encoded = new URLSearchParams(all).toString();
  let location: string;
  if (target.responseMode === 'query') {
    // Keep the registered URI's own query untouched and append (RFC 6749 section 3.1.2).
    const sep = target.redirectUri.includes('?') ? (/[?&]$/.test(target.redirectUri) ? '' : '&') : '?';
    location = target.redirectUri + sep + encoded;
  } else {
    location = `${target.redirectUri}#${encoded}`;
  }
  res.status(303).setHeader('Location', location);
  res.end();
}

/**
 * OAuth 2.0 Form Post Response Mode: an auto-submitting form. The script is allowed by
 * a nonce; without JavaScript the visible Continue button does the same.
 */
function sendFormPost(res: Response, target: ResponseTarget, params: Record<string, string>): void {
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const to = formTarget(target.redirectUri);
  sendPage(res, {
    tenant: target.tenant,
    title: 'Returning to the application',
    body: `<p class="lead">You are being sent back to the application.</p>
<form method="post" action="${escapeHtml(target.redirectUri)}">
${inputs}
<div class="actions"><button class="btn" type="submit">Continue</button></div>
</form>`,
    script: 'document.forms[0].submit();',
    formTargets: to ? [to] : [],
    selfForms: false,
  });
}
