import type { TenantContext } from '../../tenancy/tenant-context.js';
import { DPOP_SIGNING_ALGS } from '../dpop/index.js';
import { FAPI2_AUTH_METHODS, FAPI2_SIGNING_ALGS, isFapi2 } from './profile.js';

/**
 * What a FAPI 2.0 tenant announces instead of the general values (spread last over the
 * discovery document): only what the profile lets clients use.
 */
export function fapiMetadata(tenant: TenantContext, general: Record<string, unknown>): Record<string, unknown> {
  if (!isFapi2(tenant)) return {};
  const onlyFapiAlgs = (v: unknown) => (Array.isArray(v) ? v.filter((a) => FAPI2_SIGNING_ALGS.includes(a as string)) : v);
  return {
    require_pushed_authorization_requests: true,
    token_endpoint_auth_methods_supported: FAPI2_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: FAPI2_SIGNING_ALGS,
    introspection_endpoint_auth_methods_supported: FAPI2_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: FAPI2_SIGNING_ALGS,
    revocation_endpoint_auth_methods_supported: FAPI2_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: FAPI2_SIGNING_ALGS,
    request_object_signing_alg_values_supported: onlyFapiAlgs(general.request_object_signing_alg_values_supported),
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    grant_types_supported: (general.grant_types_supported as string[]).filter((g) => g !== 'implicit' && g !== 'password'),
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    // Sender-constrained tokens by DPoP, required at the token endpoint (token-request.ts).
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
  };
}
