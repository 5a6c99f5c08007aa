import type { Response } from 'express';
import { escapeHtml, formTarget, sendPage } from '../../pages/html-page.js';
import { tenantScopes } from '../../claims/scopes.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { CSRF_FIELD } from '../csrf.js';
import type { LoadedInteraction } from '../load-interaction.js';
import type { ResourceLabel } from '../resource-names.js';
import { scopeWords } from '../scope-words.js';

/**
 * The APIs (RFC 8707 resource servers) the access is for, under the scopes, in the same
 * list style: by name, with the identifier beneath when it differs. Nothing without any.
 */
function resourceList(resources: readonly ResourceLabel[]): string {
  if (!resources.length) return '';
  const items = resources.map((r) => {
    const id = r.name === r.identifier ? '' : `<br><span class="why">${escapeHtml(r.identifier)}</span>`;
    return `<li><span class="dot"></span><span><span class="what">${escapeHtml(r.name)}</span>${id}</span></li>`;
  });
  return `
<p class="lead">This access is for ${resources.length === 1 ? 'this service' : 'these services'}:</p>
<ul class="scopes resources">
${items.join('\n')}
</ul>`;
}

export function renderConsentPage(
  res: Response,
  tenant: TenantContext,
  ia: LoadedInteraction,
  csrf: string,
  resources: readonly ResourceLabel[],
): void {
  const { details } = ia;
  const definitions = tenantScopes(tenant);
  const items = details.scopes.map((s) => {
    const w = scopeWords(s, definitions);
    const why = w.description ? `<br><span class="why">${escapeHtml(w.description)}</span>` : '';
    return `<li><span class="dot"></span><span><span class="what">${escapeHtml(w.title)}</span>${why}</span></li>`;
  });
  if (details.claims.length) {
    items.push(
      `<li><span class="dot"></span><span><span class="what">Specific details</span><br><span class="why">${details.claims.map((c) => `<code>${escapeHtml(c)}</code>`).join(', ')}</span></span></li>`,
    );
  }
  if (!items.length)
    items.push(
      '<li><span class="dot"></span><span><span class="what">Basic access</span><br><span class="why">No personal information beyond what the application already knows.</span></span></li>',
    );
  const target = formTarget(details.redirectUri);
  sendPage(res, {
    tenant,
    title: `Allow ${details.clientName} to access your account?`,
    formTargets: target ? [target] : [],
    body: `<p class="lead">Signed in as <strong>${escapeHtml(details.username ?? '')}</strong>. <strong>${escapeHtml(details.clientName)}</strong> is asking to:</p>
<ul class="scopes">
${items.join('\n')}
</ul>${resourceList(resources)}
<form method="post" action="${escapeHtml(`${tenant.issuer}/interaction/${ia.id}/consent`)}">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}">
<div class="actions">
<button class="btn" type="submit" name="decision" value="allow">Allow</button>
<button class="btn secondary" type="submit" name="decision" value="deny">Deny</button>
</div>
</form>
<p class="fine">Only allow this if you trust ${escapeHtml(details.clientName)}. Deny sends you back to the application without sharing anything.</p>`,
  });
}
