import type { Response } from 'express';
import { escapeHtml, formTarget, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { CSRF_FIELD } from '../csrf.js';
import type { LoadedInteraction } from '../load-interaction.js';

export function renderSelectAccountPage(res: Response, tenant: TenantContext, ia: LoadedInteraction, csrf: string): void {
  const { details } = ia;
  const target = formTarget(details.redirectUri);
  sendPage(res, {
    tenant,
    title: 'Choose an account',
    formTargets: target ? [target] : [],
    body: `<p class="lead">to continue to <strong>${escapeHtml(details.clientName)}</strong></p>
<div class="account">You are signed in as <strong>${escapeHtml(details.username ?? '')}</strong>.</div>
<form method="post" action="${escapeHtml(`${tenant.issuer}/interaction/${ia.id}/select-account`)}">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}">
<div class="actions">
<button class="btn" type="submit" name="account" value="continue">Continue as ${escapeHtml(details.username ?? '')}</button>
<button class="btn secondary" type="submit" name="account" value="switch">Use another account</button>
</div>
</form>`,
  });
}
