import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { capabilities, paths } from './capabilities.js';

interface Prepared {
  body: string;
  etag: string;
}

const prepared = new WeakMap<TenantContext, Prepared>();

/** OpenID Provider Metadata (OIDC Discovery 1.0 section 3; RFC 8414). */
export function discoveryMetadata(tenant: TenantContext): Record<string, unknown> {
  const iss = tenant.issuer;
  return {
    issuer: iss,
    jwks_uri: iss + paths.jwks,
    authorization_endpoint: iss + paths.authorize,
    token_endpoint: iss + paths.token,
    // Announced only where it is open to someone (tenant setting dynamicRegistration).
    ...(tenant.settings.dynamicRegistration !== 'DISABLED' && tenant.slug !== 'system' ? { registration_endpoint: iss + paths.registration } : {}),
    grant_types_supported: capabilities.grantTypes,
    token_endpoint_auth_methods_supported: capabilities.tokenEndpointAuthMethods,
    token_endpoint_auth_signing_alg_values_supported: capabilities.tokenEndpointAuthSigningAlgs,
    userinfo_endpoint: iss + paths.userinfo,
    id_token_signing_alg_values_supported: capabilities.idTokenSigningAlgs,
    subject_types_supported: capabilities.subjectTypes,
    scopes_supported: capabilities.scopes,
    claims_supported: capabilities.claims,
    response_types_supported: capabilities.responseTypes,
    response_modes_supported: capabilities.responseModes,
    prompt_values_supported: capabilities.promptValues,
    code_challenge_methods_supported: capabilities.codeChallengeMethods,
    authorization_response_iss_parameter_supported: true,
    ui_locales_supported: capabilities.uiLocales,
    claim_types_supported: capabilities.claimTypes,
    claims_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

function prepare(tenant: TenantContext): Prepared {
  let p = prepared.get(tenant);
  if (!p) {
    const body = JSON.stringify(discoveryMetadata(tenant));
    p = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    prepared.set(tenant, p);
  }
  return p;
}

/** Answered from memory: the body is built once per tenant revision. */
export function discovery(tenant: TenantContext, req: Request, res: Response): void {
  const p = prepare(tenant);
  sendCachedJson(req, res, p.body, p.etag, 'application/json; charset=utf-8');
}

export function sendCachedJson(req: Request, res: Response, body: string, etag: string, type: string): void {
  res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
  res.setHeader('ETag', etag);
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', type);
  res.end(body);
}
