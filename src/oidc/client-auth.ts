import type { Request } from 'express';
import { invalidClient, oauthError } from '../errors/oauth-error.js';
import type { Runtime } from '../services/runtime.js';
import type { ClientRecord } from '../store/models/client.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { capabilities } from './capabilities.js';

export interface AuthenticatedClient {
  client: ClientRecord;
  method: string;
}

interface Presented {
  method: string;
  clientId: string;
  secret?: string;
}

/** RFC 6749 2.3.1: Basic credentials are form-urlencoded before base64. */
function fromBasic(header: string): Presented {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('malformed Basic credentials');
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return { method: 'client_secret_basic', clientId, secret };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

/** Which single method the request uses; more than one is an error (RFC 6749 2.3). */
function presented(req: Request): Presented {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const auth = req.headers.authorization;
  const found: Presented[] = [];
  if (auth && /^basic /i.test(auth)) found.push(fromBasic(auth));
  if (typeof body.client_secret === 'string') {
    found.push({ method: 'client_secret_post', clientId: String(body.client_id ?? ''), secret: body.client_secret });
  }
  if (found.length > 1) throw oauthError('invalid_request', 'use exactly one client authentication method');
  if (found[0]) {
    if (typeof body.client_id === 'string' && body.client_id !== found[0].clientId) throw oauthError('invalid_request', 'client_id does not match the authenticated client');
    return found[0];
  }
  if (typeof body.client_id === 'string' && body.client_id) return { method: 'none', clientId: body.client_id };
  throw invalidClient('no client authentication was presented');
}

/**
 * Authenticates the calling client at the token, introspection and revocation endpoints.
 * The method must be the one the client registered; secrets are compared in constant
 * time against their stored hash.
 */
export async function authenticateClient(rt: Runtime, tenant: TenantContext, req: Request): Promise<AuthenticatedClient> {
  const p = presented(req);
  if (!capabilities.tokenEndpointAuthMethods.includes(p.method) && p.method !== 'none') throw invalidClient(`${p.method} is not supported`);
  const client = await rt.clients.find(tenant, p.clientId);
  // The same answer for an unknown client and a wrong secret: nothing to learn from it.
  if (!client) throw invalidClient();
  if (client.tokenEndpointAuthMethod !== p.method) throw invalidClient(`this client authenticates with ${client.tokenEndpointAuthMethod}`);
  switch (p.method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!client.secretHash || !rt.envelope.verifySecret(p.secret ?? '', client.secretHash)) throw invalidClient();
      return { client, method: p.method };
    case 'none':
      return { client, method: p.method };
    default:
      throw invalidClient(`${p.method} is not supported`);
  }
}
