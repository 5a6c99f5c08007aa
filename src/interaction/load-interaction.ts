import type { Request } from 'express';
import { INTERACTION_COOKIE, readCookies } from '../sessions/browser-cookies.js';
import type { Runtime } from '../runtime.js';
import type { Interaction } from '../interactions/interaction.js';
import { findInteraction } from '../interactions/transitions.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { expired } from './interaction-error.js';

export interface LoadedInteraction extends Interaction {
  /** The browser's interaction cookie value (keys the CSRF token). */
  browserSecret: string;
}

/**
 * The interaction named in the URL, only for the browser that started it: its cookie
 * must match the stored hash. Expired, unknown or foreign interactions look the same.
 */
export async function loadInteraction(rt: Runtime, tenant: TenantContext, req: Request): Promise<LoadedInteraction> {
  const uid = String(req.params.uid ?? '');
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(uid)) throw expired();
  const ia = await findInteraction(tenant, uid);
  if (!ia) throw expired();
  const browserSecret = readCookies(req.headers.cookie, INTERACTION_COOKIE).find((v) => rt.envelope.verifySecret(v, ia.browserHash));
  if (!browserSecret) throw expired();
  return { ...ia, browserSecret };
}
