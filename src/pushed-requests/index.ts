import { createHash, randomBytes } from 'node:crypto';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Pushed authorization requests (RFC 9126) as domain state: a validated request kept
 * for a short time under a one-time `request_uri`, bound to the client that pushed it.
 * The protocol rules (who may push, what is valid) live in oidc/par/; this module only
 * keeps and hands back (docs/architecture.md, domains).
 *
 * A request_uri carries its request sealed (AES-256-GCM under the deployment's token key,
 * bound to the tenant, as refresh tokens are): pushing writes nothing, and taking it writes
 * one document, the record that it was used, by the hash of the request_uri, whose unique
 * `_id` makes it single use (docs/openid-connect.md "Pushed Authorization Requests").
 * A request too large to seal into a reasonable URI, and request_uris from before sealing,
 * are stored by hash and taken with one atomic update as before.
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

/** Sealed references longer than this are stored instead (a browser URL must carry it). */
const MAX_SEALED_REFERENCE = 2048;
/** Stored references are 43 characters (256 random bits). */
const STORED_REFERENCE_LENGTH = 43;

/** Only the hash is stored: a leaked database does not hand out usable request URIs. */
const hashOf = (reference: string): string => createHash('sha256').update(reference).digest('base64url');

const context = (tenant: TenantContext): string => `pushed-request|${tenant.id}`;

export const isPushedRequestUri = (uri: string): boolean => uri.startsWith(REQUEST_URI_PREFIX);

/** Keeps the request and returns its request_uri and lifetime. */
export async function pushRequest(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  request: PushedRequest,
  lifetimeSeconds: number,
  now = tenant.clock.date(),
): Promise<{ requestUri: string; expiresIn: number }> {
  const expiresAt = new Date(now.getTime() + lifetimeSeconds * 1000);
  const sealed = rt.envelope.sealToken(
    JSON.stringify({ c: clientId, p: request.params, r: request.resources, s: request.signed, e: expiresAt.getTime() }),
    context(tenant),
  );
  if (sealed.length <= MAX_SEALED_REFERENCE) return { requestUri: REQUEST_URI_PREFIX + sealed, expiresIn: lifetimeSeconds };
  const reference = randomBytes(32).toString('base64url');
  await tenant.store.pushedRequests.insert({
    _id: hashOf(reference),
    clientId,
    params: JSON.stringify(request.params),
    resources: request.resources,
    signed: request.signed,
    createdAt: now,
    expiresAt,
    usedAt: null,
  });
  return { requestUri: REQUEST_URI_PREFIX + reference, expiresIn: lifetimeSeconds };
}

interface Sealed extends PushedRequest {
  clientId: string;
  expiresAt: number;
}

function openSealed(rt: Runtime, tenant: TenantContext, reference: string): Sealed | null {
  const raw = rt.envelope.openToken(reference, context(tenant));
  if (!raw) return null;
  try {
    const v = JSON.parse(raw.toString('utf8')) as { c?: unknown; p?: unknown; r?: unknown; s?: unknown; e?: unknown };
    if (typeof v.c !== 'string' || !Array.isArray(v.p) || !Array.isArray(v.r) || typeof v.s !== 'boolean' || typeof v.e !== 'number')
      return null;
    return { clientId: v.c, params: v.p as [string, string][], resources: v.r as string[], signed: v.s, expiresAt: v.e };
  } catch {
    return null;
  }
}

/**
 * Takes a pushed request for the client presenting its request_uri: null when it is
 * unknown, expired, already used, or was pushed by another client (which does not use
 * it up).
 */
export async function takePushedRequest(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  requestUri: string,
  now = tenant.clock.date(),
): Promise<PushedRequest | null> {
  if (!isPushedRequestUri(requestUri)) return null;
  const reference = requestUri.slice(REQUEST_URI_PREFIX.length);
  if (reference.length > MAX_SEALED_REFERENCE || !/^[A-Za-z0-9_-]+$/.test(reference)) return null;
  const hash = hashOf(reference);
  if (reference.length !== STORED_REFERENCE_LENGTH) {
    const sealed = openSealed(rt, tenant, reference);
    if (!sealed || sealed.clientId !== clientId || sealed.expiresAt <= now.getTime()) return null;
    const first = await tenant.store.pushedRequests.markUsed({
      _id: hash,
      clientId,
      params: '[]',
      resources: [],
      signed: sealed.signed,
      createdAt: now,
      expiresAt: new Date(sealed.expiresAt),
      usedAt: now,
    });
    return first ? { params: sealed.params, resources: sealed.resources, signed: sealed.signed } : null;
  }
  const record = await tenant.store.pushedRequests.consume(hash, clientId, now);
  if (!record) return null;
  return { params: JSON.parse(record.params) as [string, string][], resources: record.resources, signed: record.signed };
}
