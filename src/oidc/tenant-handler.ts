import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TenantContext } from '../tenancy/tenant-context.js';

export type TenantHandler = (tenant: TenantContext, req: Request, res: Response) => Promise<void> | void;

/** Adapts an endpoint that takes its tenant explicitly to Express; the http layer resolved it. */
export function withTenant(handler: TenantHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const result = handler(res.locals.tenant as TenantContext, req, res);
      if (result instanceof Promise) result.catch(next);
    } catch (err) {
      next(err);
    }
  };
}
