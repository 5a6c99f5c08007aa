import type { TenantContext } from '../tenancy/tenant-context.js';

/** RFC 8628's grant type (oidc/grant-types/device-code.ts). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The verification page below the issuer (interaction/device/): RFC 8628's verification_uri. */
export const DEVICE_PAGE_PATH = '/device';

/**
 * The Device Authorization Grant exists only where the tenant has it on
 * (settings.deviceFlow, default true) and allows its grant type: elsewhere discovery omits
 * it, its endpoint and page answer 404 and the token endpoint unsupported_grant_type.
 */
export const deviceFlowEnabled = (tenant: TenantContext): boolean =>
  tenant.settings.deviceFlow === true && tenant.settings.allowedGrantTypes.includes(DEVICE_CODE_GRANT);

/** `{issuer}/device`, and with the code filled in (verification_uri_complete). */
export const verificationUri = (tenant: TenantContext, userCode?: string): string =>
  tenant.issuer + DEVICE_PAGE_PATH + (userCode ? `?${new URLSearchParams({ user_code: userCode })}` : '');
