import type { Request, Response } from 'express';
import type { KeyRings } from '../keys/key-rings.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { sendCachedJson } from './discovery.js';

export const JWKS_TYPE = 'application/jwk-set+json; charset=utf-8';

/** Public members of the tenant's NEXT, ACTIVE and RETIRED keys, from the cached key ring. */
export const jwks =
  (keyRings: KeyRings) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const ring = keyRings.peek(tenant) ?? (await keyRings.get(tenant));
    sendCachedJson(req, res, ring.jwksBody, ring.etag, JWKS_TYPE);
  };
