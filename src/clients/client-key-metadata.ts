import { createPublicKey } from 'node:crypto';
import type { ClientRecord } from './client-record.js';
import type { ClientMetadata } from './client-metadata.js';
import { InputError } from '../errors/domain-errors.js';
import { outboundInput, parseAbsoluteUrl } from '../outbound/url-input.js';
import { clientMetadataJson } from './client-metadata-json.js';

/**
 * Client metadata kept in the record's `metadata` JSON under their RFC 7591 / OIDC
 * Registration names: the client's public keys (`jwks` or `jwks_uri`, for
 * private_key_jwt) and its `subject_type`. Shared by the admin API and registration.
 */
export interface JsonWebKeySet {
  keys: Record<string, unknown>[];
}

export interface ClientKeyMetadata {
  jwks: JsonWebKeySet | null;
  jwksUri: string | null;
  subjectType: 'public' | 'pairwise' | null;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MAX_KEYS = 20;

export function validateJwks(value: unknown, field = 'jwks'): JsonWebKeySet {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(field, 'must be a JWK Set: {"keys": [...]}');
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) throw new InputError(field, `must hold 1-${MAX_KEYS} keys`);
  if (JSON.stringify(value).length > 64 * 1024) throw new InputError(field, 'is too large');
  const out: Record<string, unknown>[] = [];
  for (const [i, k] of keys.entries()) {
    if (!k || typeof k !== 'object' || Array.isArray(k)) throw new InputError(`${field}.keys[${i}]`, 'must be a JWK object');
    const jwk = k as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((m) => m in jwk))
      throw new InputError(`${field}.keys[${i}]`, 'must be a public key: private or symmetric key material is refused');
    try {
      createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      throw new InputError(`${field}.keys[${i}]`, 'is not a valid RSA, EC or OKP public key');
    }
    out.push(jwk);
  }
  return { keys: out };
}

/** The provider fetches it: the outbound policy's configuration-time check (src/outbound/). */
export function validateJwksUri(value: unknown, field = 'jwksUri'): string {
  const url = parseAbsoluteUrl(value, field);
  if (url.hash) throw new InputError(field, 'must not contain a fragment');
  outboundInput(url, field, 'jwks_uri');
  return url.href;
}

/**
 * Validates the key and subject metadata of a change (RFC 7591 names; null removes a
 * value) and returns the entries to merge into the stored metadata.
 */
export function validateKeyMetadata(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('jwks' in patch) out.jwks = patch.jwks == null ? null : validateJwks(patch.jwks);
  if ('jwks_uri' in patch) out.jwks_uri = patch.jwks_uri == null ? null : validateJwksUri(patch.jwks_uri);
  if (out.jwks && out.jwks_uri) throw new InputError('jwksUri', 'give jwks or jwksUri, not both');
  // Setting one way of publishing keys replaces the other.
  if (out.jwks) out.jwks_uri = null;
  if (out.jwks_uri) out.jwks = null;
  if ('subject_type' in patch) {
    const st = patch.subject_type;
    if (st != null && st !== 'public' && st !== 'pairwise') throw new InputError('subjectType', 'must be public or pairwise');
    out.subject_type = st ?? null;
  }
  return out;
}

/** Merges a validated patch into stored metadata; null values remove entries. */
export function mergeMetadata(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current, ...patch };
  for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined) delete merged[k];
  return merged;
}

/** private_key_jwt needs keys to verify the client's assertions with. */
export function checkKeysForAuthMethod(m: Pick<ClientMetadata, 'tokenEndpointAuthMethod'>, metadata: Record<string, unknown>): void {
  if (m.tokenEndpointAuthMethod === 'private_key_jwt' && !metadata.jwks && !metadata.jwks_uri) {
    throw new InputError('tokenEndpointAuthMethod', 'private_key_jwt needs the client public keys: set jwks or jwksUri');
  }
}

const parsed = new WeakMap<ClientRecord, ClientKeyMetadata>();

/** The key and subject metadata of a client record (parsed once per cached record). */
export function clientKeyMetadata(client: ClientRecord): ClientKeyMetadata {
  let m = parsed.get(client);
  if (m) return m;
  const meta = clientMetadataJson(client);
  m = {
    jwks: meta.jwks && typeof meta.jwks === 'object' ? (meta.jwks as JsonWebKeySet) : null,
    jwksUri: typeof meta.jwks_uri === 'string' ? meta.jwks_uri : null,
    subjectType: meta.subject_type === 'public' || meta.subject_type === 'pairwise' ? meta.subject_type : null,
  };
  parsed.set(client, m);
  return m;
}
