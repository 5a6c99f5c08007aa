import { oauthError, type OAuthError, type OAuthErrorCode } from '../../errors/oauth-error.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/**
 * The FAPI 2.0 Security Profile switch (tenant setting securityProfile: FAPI2_SECURITY).
 * Each rule lives beside the endpoint it constrains and names itself in its refusal;
 * the list, and what was decided where the profile leaves a choice, is in
 * docs/openid-connect.md "FAPI 2.0 Security Profile".
 */
export const isFapi2 = (tenant: TenantContext): boolean => tenant.settings.securityProfile === 'FAPI2_SECURITY';

/** FAPI 2.0 SP 5.3.2.1: authorization codes live at most 60 seconds. */
export const FAPI2_MAX_CODE_TTL = 60;

/** A refusal that names the profile rule that failed, e.g. "FAPI 2.0: PKCE with S256 required". */
export const fapiRefusal = (code: OAuthErrorCode, rule: string): OAuthError => oauthError(code, `FAPI 2.0: ${rule}`);

/** The authorization code lifetime: the tenant's codeTtl, capped by the profile. */
export const codeLifetime = (tenant: TenantContext): number =>
  isFapi2(tenant) ? Math.min(tenant.settings.codeTtl, FAPI2_MAX_CODE_TTL) : tenant.settings.codeTtl;

/** FAPI 2.0 SP 5.3.2.1: confidential clients authenticated with private_key_jwt (no mTLS: docs). */
export const FAPI2_AUTH_METHODS = ['private_key_jwt'];
/** Asymmetric algorithms only (FAPI 2.0 SP 5.4: PS256, ES256 or EdDSA). */
export const FAPI2_SIGNING_ALGS = ['PS256', 'ES256', 'EdDSA'];
