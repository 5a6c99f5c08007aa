import { createHash } from 'node:crypto';
import { requestableClaims } from '../claims/pipeline.js';
import { algsOf } from '../keys/families.js';
import { REQUEST_OBJECT_ALGS } from '../clients/client-request-metadata.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { capabilities, deviceFlowEnabled, grantTypesFor, paths } from './capabilities.js';
import { DPOP_SIGNING_ALGS } from './dpop/verify-proof.js';
import { fapiMetadata } from './fapi/discovery.js';
import { parOffered, parRequiredByTenant } from './par/policy.js';
import type { Answer, Endpoint, EndpointInput } from './endpoint.js';

export interface CachedDocument {
  body: string;
  etag: string;
}

export const CACHE_CONTROL = 'public, max-age=60, must-revalidate';
export const DISCOVERY_TYPE = 'application/json; charset=utf-8';

const prepared = new WeakMap<TenantContext, CachedDocument>();

/** OpenID Provider Metadata (OIDC Discovery 1.0 section 3; RFC 8414). */
export function discoveryMetadata(tenant: TenantContext): Record<string, unknown> {
  const iss = tenant.issuer;
  const general = {
    issuer: iss,
    jwks_uri: iss + paths.jwks,
    authorization_endpoint: iss + paths.authorize,
    token_endpoint: iss + paths.token,
    // Announced only where it is open to someone (tenant setting dynamicRegistration).
    ...(tenant.settings.dynamicRegistration !== 'DISABLED' && tenant.slug !== 'system'
      ? { registration_endpoint: iss + paths.registration }
      : {}),
    grant_types_supported: grantTypesFor(tenant),
    token_endpoint_auth_methods_supported: capabilities.tokenEndpointAuthMethods,
    token_endpoint_auth_signing_alg_values_supported: capabilities.tokenEndpointAuthSigningAlgs,
    userinfo_endpoint: iss + paths.userinfo,
    // Only the algorithms of the tenant's key families (tenant setting keyFamilies).
    userinfo_signing_alg_values_supported: algsOf(tenant.settings.keyFamilies),
    introspection_endpoint: iss + paths.introspection,
    introspection_endpoint_auth_methods_supported: capabilities.introspectionAuthMethods,
    introspection_endpoint_auth_signing_alg_values_supported: capabilities.tokenEndpointAuthSigningAlgs,
    revocation_endpoint: iss + paths.revocation,
    revocation_endpoint_auth_methods_supported: capabilities.revocationAuthMethods,
    revocation_endpoint_auth_signing_alg_values_supported: capabilities.tokenEndpointAuthSigningAlgs,
    id_token_signing_alg_values_supported: [...algsOf(tenant.settings.keyFamilies), 'HS256'],
    subject_types_supported: capabilities.subjectTypes,
    // The tenant's own scopes and the claims they and its claim resolvers release.
    scopes_supported: [...new Set([...capabilities.scopes, ...(tenant.record.scopes ?? []).map((s) => s.name)])],
    claims_supported: [...new Set([...capabilities.claims, ...requestableClaims(tenant)])],
    response_types_supported: capabilities.responseTypes,
    response_modes_supported: capabilities.responseModes,
    prompt_values_supported: capabilities.promptValues,
    code_challenge_methods_supported: capabilities.codeChallengeMethods,
    authorization_response_iss_parameter_supported: true,
    ui_locales_supported: capabilities.uiLocales,
    claim_types_supported: capabilities.claimTypes,
    claims_parameter_supported: true,
    // The one way users authenticate (tenant setting passwordAcr): see oidc/authorize/check-acr.ts.
    acr_values_supported: [tenant.settings.passwordAcr],
    // Request objects (oidc/request-object/): by value and by reference, signed or, for
    // clients that registered request_object_signing_alg none, unsigned.
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: tenant.settings.requireRequestUriRegistration,
    request_object_signing_alg_values_supported: [...REQUEST_OBJECT_ALGS],
    require_signed_request_object: tenant.settings.requireSignedRequestObject,
    // Pushed Authorization Requests (oidc/par/), where the tenant offers them.
    ...(parOffered(tenant)
      ? { pushed_authorization_request_endpoint: iss + paths.par, require_pushed_authorization_requests: parRequiredByTenant(tenant) }
      : {}),
    end_session_endpoint: iss + paths.endSession,
    check_session_iframe: iss + paths.checkSession,
    frontchannel_logout_supported: capabilities.frontchannelLogout,
    frontchannel_logout_session_supported: capabilities.frontchannelLogout,
    backchannel_logout_supported: capabilities.backchannelLogout,
    backchannel_logout_session_supported: capabilities.backchannelLogout,
    // RFC 8707 defines no metadata name; this extension says `resource` is honoured (tenant setting resourceIndicators).
    ...(tenant.settings.resourceIndicators ? { resource_indicators_supported: true } : {}),
    // RFC 8628 4: only where the tenant has the device flow on (its grant type is in grant_types_supported then).
    ...(deviceFlowEnabled(tenant) ? { device_authorization_endpoint: iss + paths.deviceAuthorization } : {}),
    // DPoP (RFC 9449 5.1, oidc/dpop/): announced exactly when the tenant setting dpop is on.
    ...(tenant.settings.dpop ? { dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS] } : {}),
  };
  // The FAPI 2.0 profile narrows what is announced to what it lets clients use.
  return { ...general, ...fapiMetadata(tenant, general) };
}

/** The serialized metadata and its ETag, built once per tenant revision. */
export function discoveryDocument(tenant: TenantContext): CachedDocument {
  let p = prepared.get(tenant);
  if (!p) {
    const body = JSON.stringify(discoveryMetadata(tenant));
    p = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    prepared.set(tenant, p);
  }
  return p;
}

/** The two answers a cached document has: the document, and 304 for a matching If-None-Match. */
export interface CachedAnswers {
  ok: Answer;
  notModified: Answer;
}

/** Both answers of a cached JSON document, made once per document (answers are values: see oidc/endpoint.ts). */
export function cachedJsonAnswers(doc: CachedDocument, type: string): CachedAnswers {
  const headers = { 'Cache-Control': CACHE_CONTROL, ETag: doc.etag, 'Access-Control-Allow-Origin': '*' };
  return {
    ok: Object.freeze({ status: 200, headers: { ...headers, 'Content-Type': type }, body: doc.body }),
    notModified: Object.freeze({ status: 304, headers }),
  };
}

export const answerFor = (answers: CachedAnswers, input: Pick<EndpointInput, 'headers'>): Answer =>
  input.headers['if-none-match'] === answers.ok.headers!.ETag ? answers.notModified : answers.ok;

const answers = new WeakMap<TenantContext, CachedAnswers>();

/** Answered from memory: the body and both answers are built once per tenant revision. */
export const discovery: Endpoint = (tenant, input) => {
  let a = answers.get(tenant);
  if (!a) {
    a = cachedJsonAnswers(discoveryDocument(tenant), DISCOVERY_TYPE);
    answers.set(tenant, a);
  }
  return answerFor(a, input);
};
