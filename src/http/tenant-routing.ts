import type { NextFunction, Request, Response } from 'express';
import { SLUG_PATTERN } from '../config/defaults.js';
import { notFound } from '../errors/oauth-error.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';

/** Resolves `/t/:slug` to a tenant context (from memory when cached) for the routers below. */
export function resolveTenant(registry: TenantRegistry) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const slug = req.params.slug as string;
    // Not a possible slug: answer without a lookup (and without filling the negative cache).
    if (!SLUG_PATTERN.test(slug)) return next(notFound('unknown tenant'));
    const cached = registry.peek(slug);
    if (cached) {
      res.locals.tenant = cached;
      next();
      return;
    }
    registry.get(slug).then(
      (tenant) => {
        if (!tenant) return next(notFound('unknown tenant'));
        res.locals.tenant = tenant;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}
