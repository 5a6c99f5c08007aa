import type { ClientRecord } from './client-record.js';
import { clientMetadataJson } from './client-metadata-json.js';
import { InputError } from '../errors/domain-errors.js';
import { parseAbsoluteUrl } from '../outbound/url-input.js';

/**
 * Client metadata for request objects (OIDC Registration 2, RFC 9101 section 10.2) and
 * the pairwise sector (`sector_identifier_uri`), kept in the record's `metadata` JSON
 * under their registration names like the other RFC 7591 fields.
 */
export const CLIENT_REQUEST_FIELDS = {
  sectorIdentifierUri: 'sector_identifier_uri',
  requestUris: 'request_uris',
  requestObjectSigningAlg: 'request_object_signing_alg',
} as const;

/** Algorithms a request object may be signed with; `none` only for clients that register it. */
export const REQUEST_OBJECT_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
  'none',
] as const;

export interface ClientRequestMetadata {
  sectorIdentifierUri: string | null;
  /** Registered request_uri values; compared without their fragment (OIDC Registration 2). */
  requestUris: string[];
  /** The one algorithm the client's request objects must use; null: any supported but none. */
  requestObjectSigningAlg: string | null;
}

const MAX_REQUEST_URIS = 20;

function httpUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 2000) throw new InputError(field, 'must be a URL of at most 2000 characters');
  const url = parseAbsoluteUrl(value, field);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InputError(field, 'must be an https URL');
  return value;
}

/**
 * Validates the request-object and sector metadata of a change (registration names;
 * null removes a value) and returns the entries to merge. Error fields use the admin
 * API's names. Whether the sector document lists the redirect URIs is checked
 * separately (sector-identifier.ts): it needs a fetch.
 */
export function validateRequestMetadata(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('sector_identifier_uri' in patch) {
    const v = patch.sector_identifier_uri;
    out.sector_identifier_uri = v == null ? null : httpUrl(v, 'sectorIdentifierUri');
  }
  if ('request_uris' in patch) {
    const v = patch.request_uris;
    if (v == null) out.request_uris = null;
    else {
      if (!Array.isArray(v) || v.length > MAX_REQUEST_URIS)
        throw new InputError('requestUris', `must be a list of at most ${MAX_REQUEST_URIS} URLs`);
      out.request_uris = [...new Set(v.map((u) => httpUrl(u, 'requestUris')))];
    }
  }
  if ('request_object_signing_alg' in patch) {
    const v = patch.request_object_signing_alg;
    if (v != null && !(REQUEST_OBJECT_ALGS as readonly unknown[]).includes(v)) {
      throw new InputError('requestObjectSigningAlg', `must be one of ${REQUEST_OBJECT_ALGS.join(', ')}`);
    }
    out.request_object_signing_alg = v ?? null;
  }
  return out;
}

/** A symmetric request object algorithm verifies with the secret, so a sealed copy must be kept. */
export const needsSecretForRequestObjects = (metadata: Record<string, unknown>): boolean =>
  typeof metadata.request_object_signing_alg === 'string' && metadata.request_object_signing_alg.startsWith('HS');

const parsed = new WeakMap<ClientRecord, ClientRequestMetadata>();

/** The request-object and sector metadata of a client record (parsed once per cached record). */
export function clientRequestMetadata(client: ClientRecord): ClientRequestMetadata {
  let m = parsed.get(client);
  if (m) return m;
  const meta = clientMetadataJson(client);
  m = {
    sectorIdentifierUri: typeof meta.sector_identifier_uri === 'string' ? meta.sector_identifier_uri : null,
    requestUris: Array.isArray(meta.request_uris) ? meta.request_uris.filter((u): u is string => typeof u === 'string') : [],
    requestObjectSigningAlg: typeof meta.request_object_signing_alg === 'string' ? meta.request_object_signing_alg : null,
  };
  parsed.set(client, m);
  return m;
}
