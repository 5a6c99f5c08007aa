import type { Response } from 'express';
import { escapeHtml, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/**
 * The tenant's after-login hook refused the sign-in, or asked for a step Gatehouse
 * cannot perform: its message, and the way back to the application, which then
 * receives access_denied (or interaction_required).
 */
export function renderLoginRefusedPage(
  res: Response,
  tenant: TenantContext,
  opts: { title: string; message: string; returnTo: string; clientName: string },
): void {
  sendPage(res, {
    tenant,
    status: 403,
    title: opts.title,
    body: `<div class="alert" role="alert">${escapeHtml(opts.message)}</div>
<div class="actions"><a class="btn" href="${escapeHtml(opts.returnTo)}">Return to ${escapeHtml(opts.clientName)}</a></div>`,
  });
}
