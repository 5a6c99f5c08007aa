import { createHash, randomBytes } from 'node:crypto';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Pushed authorization requests (RFC 9126) as domain state: a validated request kept
 * for a short time under a one-time `request_uri`, bound to the client that pushed it.
 * The protocol rules (who may push, what is valid) live in oidc/par/; this module only
 * stores and hands back (docs/architecture.md, domains).
 */

/** RFC 9126 section 2.2: the request_uri is a URN under this prefix. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** What the authorization endpoint continues with. */
export interface PushedRequest {
  /** Single-valued parameters in the order they were read. */
  params: [string, string][];
  /** Every `resource` value (RFC 8707). */
  resources: string[];
  /** The parameters came from a signed request object. */
  signed: boolean;
}

/** Only the hash is stored: a leaked database does not hand out usable request URIs. */
const hashOf = (reference: string): string => createHash('sha256').update(reference).digest('base64url');

export const isPushedRequestUri = (uri: string): boolean => uri.startsWith(REQUEST_URI_PREFIX);

/** Stores the request and returns its request_uri (256 random bits) and lifetime. */
export async function pushRequest(
  tenant: TenantContext,
  clientId: string,
  request: PushedRequest,
  lifetimeSeconds: number,
  now = new Date(),
): Promise<{ requestUri: string; expiresIn: number }> {
  const reference = randomBytes(32).toString('base64url');
  await tenant.store.pushedRequests.insert({
    _id: hashOf(reference),
    clientId,
    params: JSON.stringify(request.params),
    resources: request.resources,
    signed: request.signed,
    createdAt: now,
    expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000),
    usedAt: null,
  });
  return { requestUri: REQUEST_URI_PREFIX + reference, expiresIn: lifetimeSeconds };
}

/**
 * Takes a pushed request for the client presenting its request_uri: null when it is
 * unknown, expired, already used, or was pushed by another client (which does not use
 * it up).
 */
export async function takePushedRequest(
  tenant: TenantContext,
  clientId: string,
  requestUri: string,
  now = new Date(),
): Promise<PushedRequest | null> {
  if (!isPushedRequestUri(requestUri) || requestUri.length > 200) return null;
  const record = await tenant.store.pushedRequests.consume(hashOf(requestUri.slice(REQUEST_URI_PREFIX.length)), clientId, now);
  if (!record) return null;
  return { params: JSON.parse(record.params) as [string, string][], resources: record.resources, signed: record.signed };
}
