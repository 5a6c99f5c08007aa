import type { Request } from 'express';
import { INTERACTION_COOKIE, readCookies } from '../sessions/browser-cookies.js';
import type { Runtime } from '../runtime.js';
import type { InteractionDetails, InteractionRecord, InteractionResult } from '../interactions/interaction-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { expired } from './interaction-error.js';

export interface LoadedInteraction {
  record: InteractionRecord;
  details: InteractionDetails;
  result: InteractionResult;
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
  const record = await tenant.store.interactions.find(uid);
  if (!record) throw expired();
  const browserSecret = readCookies(req.headers.cookie, INTERACTION_COOKIE).find((v) => rt.envelope.verifySecret(v, record.browserHash));
  if (!browserSecret) throw expired();
  return {
    record,
    details: JSON.parse(record.details || '{}') as InteractionDetails,
    result: JSON.parse(record.result || '{}') as InteractionResult,
    browserSecret,
  };
}
