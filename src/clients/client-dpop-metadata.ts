import type { ClientRecord } from './client-record.js';
import { clientMetadataJson } from './client-metadata-json.js';
import { InputError } from '../errors/domain-errors.js';

/**
 * `dpop_bound_access_tokens` (RFC 9449 5.2): the client always sends a DPoP proof to the
 * token endpoint, so every access token it gets is bound to a key (oidc/token/dpop-binding.ts).
 * Kept in the record's `metadata` JSON under its registration name, like the other RFC 7591
 * fields, so the admin API, tenant files and dynamic registration store it the same way.
 */
export const CLIENT_DPOP_FIELDS = { dpopBoundAccessTokens: 'dpop_bound_access_tokens' } as const;

/** Validates a change of the DPoP metadata (registration names; null returns it to false). */
export function validateDpopMetadata(patch: Record<string, unknown>): Record<string, unknown> {
  if (!('dpop_bound_access_tokens' in patch)) return {};
  const v = patch.dpop_bound_access_tokens;
  if (v === null || v === undefined) return { dpop_bound_access_tokens: null };
  if (typeof v !== 'boolean') throw new InputError('dpopBoundAccessTokens', 'must be true or false');
  return { dpop_bound_access_tokens: v };
}

/** Whether the client must present a DPoP proof at the token endpoint. */
export const requiresDpop = (client: ClientRecord): boolean => clientMetadataJson(client).dpop_bound_access_tokens === true;
