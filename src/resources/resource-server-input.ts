import { InputError } from '../errors/domain-errors.js';
import type { ResourceServerRecord } from './resource-server-record.js';

/** At most this many resource servers per tenant: the protocol endpoints hold them all in memory. */
export const MAX_RESOURCE_SERVERS = 100;

/** What an admin (GraphQL or a tenant file) gives for a resource server; null/undefined fields take defaults. */
export interface ResourceServerInput {
  identifier?: string | null;
  name?: string | null;
  scopes?: string[] | null;
  accessTokenFormat?: 'jwt' | 'opaque' | null;
  accessTokenTtl?: number | null;
  allowedClients?: string[] | null;
}

export type ResourceServerFields = Pick<
  ResourceServerRecord,
  'identifier' | 'name' | 'scopes' | 'accessTokenFormat' | 'accessTokenTtl' | 'allowedClients'
>;

/** scope-token of RFC 6749 section 3.3 (as the tenant's scope definitions). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;
const CLIENT_ID = /^[\x21-\x7E]{1,128}$/;
const MAX_TTL = 10 * 365 * 24 * 3600;

/** RFC 8707 2: an absolute URI without a fragment; also what ends up in `aud`, so no spaces or controls. */
export function validateIdentifier(value: string): string {
  const id = value.trim();
  if (!id || id.length > 512 || /[\s\u0000-\u001f\u007f]/.test(id))
    throw new InputError('identifier', 'must be 1-512 characters without spaces', 'invalid_request');
  try {
    new URL(id);
  } catch {
    throw new InputError('identifier', 'must be an absolute URI, e.g. https://api.example.com', 'invalid_request');
  }
  if (id.includes('#')) throw new InputError('identifier', 'must not contain a fragment', 'invalid_request');
  return id;
}

/** Checks a whole resource server (create, or an update merged over the stored one). */
export function validateResourceServer(input: ResourceServerInput, issuer?: string): ResourceServerFields {
  const identifier = validateIdentifier(input.identifier ?? '');
  // Tokens for the issuer are the tenant's own (userinfo, the admin API): not a resource server's.
  if (issuer && identifier === issuer) throw new InputError('identifier', "must not be the tenant's issuer", 'invalid_request');
  const name = (input.name ?? identifier).trim();
  if (!name || name.length > 200) throw new InputError('name', 'must be 1-200 characters', 'invalid_request');
  const scopes = [...new Set(input.scopes ?? [])];
  if (scopes.length > 100) throw new InputError('scopes', 'at most 100 scopes', 'invalid_request');
  for (const s of scopes) {
    if (!SCOPE_TOKEN.test(s))
      throw new InputError('scopes', 'each scope is 1-200 printable characters without spaces, " or \\', 'invalid_request');
    if (s === 'openid' || s === 'offline_access')
      throw new InputError('scopes', `${s} is about the end-user's session, not an API scope`, 'invalid_request');
  }
  const accessTokenFormat = input.accessTokenFormat ?? 'jwt';
  if (accessTokenFormat !== 'jwt' && accessTokenFormat !== 'opaque')
    throw new InputError('accessTokenFormat', 'must be JWT or OPAQUE', 'invalid_request');
  const ttl = input.accessTokenTtl ?? null;
  if (ttl !== null && (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL))
    throw new InputError('accessTokenTtl', `must be a whole number of seconds between 1 and ${MAX_TTL}`, 'invalid_request');
  let allowedClients: string[] | null = null;
  if (input.allowedClients) {
    allowedClients = [...new Set(input.allowedClients)];
    if (allowedClients.length > 100) throw new InputError('allowedClients', 'at most 100 clients', 'invalid_request');
    if (!allowedClients.every((c) => CLIENT_ID.test(c)))
      throw new InputError('allowedClients', 'each entry is a client id', 'invalid_request');
  }
  return { identifier, name, scopes, accessTokenFormat, accessTokenTtl: ttl, allowedClients };
}
