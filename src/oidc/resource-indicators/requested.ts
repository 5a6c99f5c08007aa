import { oauthError } from '../../errors/oauth-error.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { checkResourceUri } from '../resource-indicator.js';

/** More `resource` values than any real request names; bounds the work one request can cause. */
export const MAX_RESOURCES = 10;

/**
 * The RFC 8707 `resource` values of a request (the one parameter that may repeat): each an
 * absolute URI without a fragment, duplicates dropped. At a tenant with `resourceIndicators`
 * off the parameter is ignored, as RFC 8707 asks of a server that does not support it.
 */
export function requestedResources(tenant: TenantContext, value: unknown): string[] {
  if (!tenant.settings.resourceIndicators || value === undefined) return [];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (!list.every((v): v is string => typeof v === 'string')) throw oauthError('invalid_request', 'resource must be a string');
  const values = list.filter((v) => v !== '');
  if (values.length > MAX_RESOURCES) throw oauthError('invalid_target', 'too many resource parameters');
  for (const r of values) checkResourceUri(r);
  return [...new Set(values)];
}
