import type { Response } from 'express';
import { escapeHtml, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/** A page that only explains (expired interaction, refused form, unexpected failure). */
export function renderMessagePage(res: Response, tenant: TenantContext, status: number, title: string, message: string): void {
  sendPage(res, { tenant, status, title, body: `<p class="lead">${escapeHtml(message)}</p>` });
}
