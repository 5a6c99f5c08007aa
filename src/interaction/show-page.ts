import type { Request, Response } from 'express';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { csrfToken } from './csrf.js';
import { loadInteraction } from './load-interaction.js';
import { renderConsentPage } from './pages/consent-page.js';
import { renderLoginPage, type LoginFlash } from './pages/login-page.js';
import { renderSelectAccountPage } from './pages/select-account-page.js';
import { seeOther } from './see-other.js';

/** GET `{issuer}/interaction/{uid}`: the page the interaction currently needs. */
export function showPage(rt: Runtime) {
  return async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const ia = await loadInteraction(rt, tenant, req);
    if (ia.record.state !== 'pending') return seeOther(res, ia.record.returnTo);
    const csrf = csrfToken(rt, ia);
    if (ia.record.prompt === 'consent') return renderConsentPage(res, tenant, ia, csrf);
    if (ia.record.prompt === 'select_account') return renderSelectAccountPage(res, tenant, ia, csrf);
    let flash: LoginFlash | null = null;
    if (ia.record.flash) {
      flash = JSON.parse(ia.record.flash) as LoginFlash;
      // Shown once: a reload after the message shows a clean form.
      await tenant.store.interactions.transition(ia.record._id, 'pending', { flash: null });
    }
    renderLoginPage(res, tenant, ia, csrf, flash);
  };
}
