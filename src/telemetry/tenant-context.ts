import { createContextKey, type Context } from '@opentelemetry/api';

/** The span attribute that names the tenant on every Gatehouse span. */
export const TENANT_ATTRIBUTE = 'gatehouse.tenant';

const TENANT_KEY = createContextKey('gatehouse.tenant');

/** Carries the request's tenant slug in the trace context, so database spans can name it too. */
export function withTenant(ctx: Context, tenant: string | undefined): Context {
  return tenant ? ctx.setValue(TENANT_KEY, tenant) : ctx;
}

export function tenantIn(ctx: Context): string | undefined {
  const v = ctx.getValue(TENANT_KEY);
  return typeof v === 'string' ? v : undefined;
}
