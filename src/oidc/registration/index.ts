import express, { Router, type Request, type Response } from 'express';
import { limits, RESERVED_SLUGS } from '../../config/defaults.js';
import { bearerError, oauthError } from '../../errors/oauth-error.js';
import { checkOutboundUrl, OutboundError } from '../../outbound/index.js';
import { createClient, deleteClient, replaceClientMetadata } from '../../clients/clients.js';
import { STANDARD_SCOPES } from '../../clients/client-metadata.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { paths } from '../capabilities.js';
import { withTenant } from '../tenant-handler.js';
import { parseRegistration, registrationView, type RegistrationRequest } from './metadata.js';

/** Grants an anonymous (OPEN) registrant may ask for: those where a user is present and consents. */
const OPEN_GRANTS = new Set(['authorization_code', 'refresh_token', 'implicit']);

/** Metadata URIs the provider itself calls (fetches keys from, posts logout tokens to). */
const SERVER_CONTACTED = ['jwks_uri', 'backchannel_logout_uri', 'sector_identifier_uri'] as const;

/**
 * An anonymous registrant must not aim the provider's own requests at internal
 * services: the outbound policy's URL check (src/outbound/) without the development
 * loopback exception. Names that resolve inside are refused when the request connects.
 */
function publicHttpsProblem(uri: string, purpose: string): string | null {
  try {
    checkOutboundUrl(uri, purpose, { noDevelopmentExceptions: true });
    return null;
  } catch (err) {
    if (err instanceof OutboundError) return err.message;
    throw err;
  }
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  if (!/^bearer /i.test(h)) throw bearerError('invalid_token', 'use a Bearer token');
  return h.slice(7).trim();
}

/** Who may register here (tenant setting dynamicRegistration); returns whether the caller is vetted. */
async function admitRegistration(rt: Runtime, tenant: TenantContext, req: Request): Promise<boolean> {
  // The system tenant's clients are admin credentials: never self-service.
  if (RESERVED_SLUGS.has(tenant.slug) || tenant.settings.dynamicRegistration === 'DISABLED') {
    throw oauthError('access_denied', 'dynamic client registration is disabled for this tenant');
  }
  const token = bearer(req);
  if (tenant.settings.dynamicRegistration === 'OPEN' && !token) return false;
  if (!token) throw bearerError('invalid_token', 'an initial access token is required');
  const used = await tenant.store.initialAccessTokens.consume(rt.envelope.hashSecret(token));
  if (!used) throw bearerError('invalid_token', 'the initial access token is invalid, expired or used up');
  return true;
}

/**
 * The registration policy, the same for RFC 7591 registration and RFC 7592 update: a
 * registrant without an initial access token gets only grants where a user is present,
 * public https URLs for what the provider calls, and scopes the tenant defines.
 */
function checkPolicy(tenant: TenantContext, reg: RegistrationRequest, vetted: boolean): void {
  const grants = reg.input.grantTypes ?? ['authorization_code', 'refresh_token'];
  const tenantGrants = (tenant.settings as { allowedGrantTypes?: string[] }).allowedGrantTypes;
  for (const g of grants) {
    if (tenantGrants && !tenantGrants.includes(g))
      throw oauthError('invalid_client_metadata', 'a requested grant type is not allowed in this tenant');
    if (!vetted && !OPEN_GRANTS.has(g)) throw oauthError('invalid_client_metadata', 'a requested grant type needs an initial access token');
  }
  if (!vetted) {
    for (const name of SERVER_CONTACTED) {
      const v = reg.metadata[name];
      if (typeof v === 'string' && publicHttpsProblem(v, name))
        throw oauthError('invalid_client_metadata', `${name} must be a public https URL`);
    }
    const requestUris = Array.isArray(reg.metadata.request_uris) ? (reg.metadata.request_uris as string[]) : [];
    if (requestUris.some((u) => publicHttpsProblem(u, 'request_uri') !== null))
      throw oauthError('invalid_client_metadata', 'request_uris must be public https URLs');
  }
  if (!vetted && reg.input.scopes) {
    const defined = new Set([...STANDARD_SCOPES, ...((tenant.record as { scopes?: { name: string }[] }).scopes ?? []).map((s) => s.name)]);
    const unknown = reg.input.scopes.filter((s) => !defined.has(s));
    if (unknown.length) throw oauthError('invalid_client_metadata', 'the scope list names scopes this tenant does not define');
  }
}

const registrationUri = (tenant: TenantContext, clientId: string) =>
  `${tenant.issuer}${paths.registration}/${encodeURIComponent(clientId)}`;

/** RFC 7591 section 3: register a client. */
const register =
  (rt: Runtime) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    const vetted = await admitRegistration(rt, tenant, req);
    if (!req.is('application/json')) throw oauthError('invalid_client_metadata', 'the request body must be application/json');
    const reg = parseRegistration(req.body);
    checkPolicy(tenant, reg, vetted);
    const created = await createClient(rt, tenant, reg.input, {
      metadata: reg.metadata,
      withRegistrationToken: true,
      registeredWith: vetted ? 'initial_access_token' : 'anonymous',
    });
    res.status(201).json({
      ...registrationView(created.client),
      ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
      registration_access_token: created.registrationAccessToken,
      registration_client_uri: registrationUri(tenant, created.client.clientId),
    });
  };

/** RFC 7592: the registration access token opens exactly its own client. */
async function managedClient(rt: Runtime, tenant: TenantContext, req: Request): Promise<ClientRecord> {
  const token = bearer(req);
  if (!token) throw bearerError('invalid_token', 'the registration access token is required');
  const client = await tenant.store.clients.findByClientId(String(req.params.clientId));
  // Same answer for an unknown client and a wrong token: nothing to learn from it.
  if (!client?.registrationTokenHash || !rt.envelope.verifySecret(token, client.registrationTokenHash)) {
    throw bearerError('invalid_token', 'the registration access token is not valid for this client');
  }
  return client;
}

const read =
  (rt: Runtime) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    const client = await managedClient(rt, tenant, req);
    res.json({ ...registrationView(client), registration_client_uri: registrationUri(tenant, client.clientId) });
  };

const update =
  (rt: Runtime) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    const client = await managedClient(rt, tenant, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.client_id !== client.clientId) throw oauthError('invalid_request', 'client_id must be present and match the client');
    if (
      body.client_secret !== undefined &&
      (typeof body.client_secret !== 'string' || !client.secretHash || !rt.envelope.verifySecret(body.client_secret, client.secretHash))
    ) {
      throw oauthError('invalid_request', 'client_secret does not match');
    }
    const {
      client_id: _id,
      client_secret: _secret,
      registration_access_token: _t,
      registration_client_uri: _u,
      client_id_issued_at: _i,
      client_secret_expires_at: _e,
      ...metadata
    } = body;
    const reg = parseRegistration(metadata);
    // Held to the rules of its own registration: the registration access token proves who
    // registered the client, not that they were vetted (a client without the marker was
    // registered before it existed and gets the anonymous rules).
    checkPolicy(tenant, reg, client.registeredWith === 'initial_access_token');
    const updated = await replaceClientMetadata(rt, tenant, client, reg.input, reg.metadata);
    res.json({ ...registrationView(updated), registration_client_uri: registrationUri(tenant, client.clientId) });
  };

const remove =
  (rt: Runtime) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const client = await managedClient(rt, tenant, req);
    await deleteClient(rt, tenant, client.clientId);
    res.status(204).end();
  };

export function registrationRouter(rt: Runtime): Router {
  const r = Router({ mergeParams: true });
  const json = express.json({ limit: limits.bodyBytes, strict: false });
  r.post(paths.registration, json, withTenant(register(rt)));
  r.get(`${paths.registration}/:clientId`, withTenant(read(rt)));
  r.put(`${paths.registration}/:clientId`, json, withTenant(update(rt)));
  r.delete(`${paths.registration}/:clientId`, withTenant(remove(rt)));
  return r;
}
