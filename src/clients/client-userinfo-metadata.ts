import { signingAlgs } from '../config/defaults.js';
import type { ClientRecord } from './client-record.js';
import { clientMetadataJson } from './client-metadata-json.js';
import { InputError } from '../errors/domain-errors.js';

/**
 * `userinfo_signed_response_alg` (OIDC Registration 2): when set, userinfo answers a JWT
 * signed with the tenant's key of that algorithm (oidc/userinfo.ts). Kept in the record's
 * `metadata` JSON under its registration name, like the logout metadata, so the admin API,
 * tenant files and dynamic registration store it the same way. Only the tenant's own key
 * algorithms: HS256 userinfo (with the client secret) is not offered.
 */
export const USERINFO_SIGNING_ALGS: readonly string[] = signingAlgs;

export const CLIENT_USERINFO_FIELDS = { userinfoSignedResponseAlg: 'userinfo_signed_response_alg' } as const;

/** Validates the change of a client's userinfo metadata (registration names; null removes it). */
export function validateUserinfoMetadata(patch: Record<string, unknown>): Record<string, unknown> {
  if (!('userinfo_signed_response_alg' in patch)) return {};
  const v = patch.userinfo_signed_response_alg;
  if (v === null || v === undefined) return { userinfo_signed_response_alg: null };
  if (typeof v !== 'string' || !USERINFO_SIGNING_ALGS.includes(v)) {
    throw new InputError('userinfoSignedResponseAlg', `must be one of ${USERINFO_SIGNING_ALGS.join(', ')}`);
  }
  return { userinfo_signed_response_alg: v };
}

/** The algorithm userinfo responses to this client are signed with, or null for plain JSON. */
export function userinfoSigningAlg(client: ClientRecord): string | null {
  const v = clientMetadataJson(client).userinfo_signed_response_alg;
  return typeof v === 'string' && USERINFO_SIGNING_ALGS.includes(v) ? v : null;
}
