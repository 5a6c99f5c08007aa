import type { Request, Response } from 'express';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { csrfToken } from './csrf.js';
import { loadInteraction } from './load-interaction.js';
import { renderConsentPage } from './pages/consent-page.js';
import { resourceLabels } from './resource-names.js';
import { takeFlash } from '../interactions/transitions.js';
import { renderLoginPage } from './pages/login-page.js';
import { renderSelectAccountPage } from './pages/select-account-page.js';
import { seeOther } from './see-other.js';

/** GET `{issuer}/interaction/{uid}`: the page the interaction currently needs. */
export function showPage(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const ia = await loadInteraction(rt, tenant, req);
    if (ia.state !== 'pending') return seeOther(res, ia.returnTo);
    const csrf = csrfToken(rt, ia);
    if (ia.prompt === 'consent') return renderConsentPage(res, tenant, ia, csrf, await resourceLabels(tenant, ia.details.resources));
    if (ia.prompt === 'select_account') return renderSelectAccountPage(res, tenant, ia, csrf);
    // Shown once: a reload after the message shows a clean form.
    renderLoginPage(res, tenant, ia, csrf, await takeFlash(tenant, ia));
  };
}
