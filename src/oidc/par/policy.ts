import { clientRequestMetadata } from '../../clients/client-request-metadata.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { isFapi2 } from '../fapi/profile.js';

/**
 * Who must use PAR and signed request objects: the tenant (settings), the client
 * (RFC 9126 section 6 / RFC 9101 section 10.5 metadata) or the FAPI 2.0 profile.
 * Requiring PAR offers it, whatever pushedAuthorizationRequests says.
 */
export const parRequiredByTenant = (tenant: TenantContext): boolean =>
  tenant.settings.requirePushedAuthorizationRequests || isFapi2(tenant);

export const parOffered = (tenant: TenantContext): boolean => tenant.settings.pushedAuthorizationRequests || parRequiredByTenant(tenant);

export const parRequired = (tenant: TenantContext, client: ClientRecord): boolean =>
  parRequiredByTenant(tenant) || clientRequestMetadata(client).requirePushedAuthorizationRequests;

export const signedRequestObjectRequired = (tenant: TenantContext, client: ClientRecord): boolean =>
  tenant.settings.requireSignedRequestObject || clientRequestMetadata(client).requireSignedRequestObject;
