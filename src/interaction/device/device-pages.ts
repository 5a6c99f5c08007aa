import type { Response } from 'express';
import { DEVICE_PAGE_PATH } from '../../device-authorizations/device-flow.js';
import { escapeHtml, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { CSRF_FIELD } from '../csrf.js';

/** The device page's views (RFC 8628 3.3), in the tenant's branding like the login and consent pages. */

export interface EnterCodeView {
  csrf: string;
  /** What to prefill: the code of verification_uri_complete, or what was typed before. */
  userCode: string;
  /** Why the code was not accepted (no detail about which codes exist). */
  message?: string;
  status?: number;
}

export function renderEnterCodePage(res: Response, tenant: TenantContext, view: EnterCodeView): void {
  sendPage(res, {
    tenant,
    status: view.status,
    title: 'Connect a device',
    body: `<p class="lead">Enter the code shown on your device (TV, console, command line) to let it use your ${escapeHtml(tenant.record.displayName || tenant.slug)} account.</p>
${view.message ? `<div class="alert" role="alert">${escapeHtml(view.message)}</div>` : ''}
<form method="post" action="${escapeHtml(tenant.issuer + DEVICE_PAGE_PATH)}" autocomplete="off">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(view.csrf)}">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" value="${escapeHtml(view.userCode)}" placeholder="XXXX-XXXX" maxlength="20" autocapitalize="characters" spellcheck="false" required autofocus>
<div class="actions"><button class="btn" type="submit">Continue</button></div>
</form>
<p class="fine">Only continue if you started signing in on a device yourself and the code matches the one it shows. Never enter a code someone sent you.</p>`,
  });
}

/** The user approved: the device gets its tokens on its next poll. */
export function renderDeviceApprovedPage(res: Response, tenant: TenantContext, clientName: string): void {
  sendPage(res, {
    tenant,
    title: 'You may return to your device',
    body: `<p class="lead"><strong>${escapeHtml(clientName)}</strong> is now connected to your account. Return to your device: it continues on its own in a few seconds.</p>
<p class="fine">You can close this page.</p>`,
  });
}

/** The user denied (or a sign-in hook refused): the device hears access_denied. */
export function renderDeviceDeniedPage(res: Response, tenant: TenantContext, clientName: string): void {
  sendPage(res, {
    tenant,
    title: 'Device not connected',
    body: `<p class="lead"><strong>${escapeHtml(clientName)}</strong> was not given access to your account. Your device will show that the sign-in was refused.</p>
<p class="fine">You can close this page.</p>`,
  });
}
