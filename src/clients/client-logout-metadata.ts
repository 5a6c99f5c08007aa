import type { ClientRecord } from './client-record.js';
import { InputError } from '../errors/domain-errors.js';
import { outboundInput, parseAbsoluteUrl } from '../outbound/url-input.js';
import { clientMetadataJson } from './client-metadata-json.js';

/**
 * A client's logout metadata (OIDC Back-Channel Logout 1.0 and Front-Channel Logout
 * 1.0), kept in the record's `metadata` JSON under their registration names so that the
 * admin API and dynamic registration store them the same way.
 */
export const CLIENT_LOGOUT_FIELDS = {
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  frontchannelLogoutUri: 'frontchannel_logout_uri',
  frontchannelLogoutSessionRequired: 'frontchannel_logout_session_required',
} as const;

export interface ClientLogoutMetadata {
  backchannelLogoutUri: string | null;
  /** The logout token must carry `sid` (we always send it; the flag is the client's demand). */
  backchannelLogoutSessionRequired: boolean;
  frontchannelLogoutUri: string | null;
  /** The front-channel URL gets `iss` and `sid` query parameters. */
  frontchannelLogoutSessionRequired: boolean;
}

const URI_FIELDS: [keyof typeof CLIENT_LOGOUT_FIELDS, string][] = [
  ['backchannelLogoutUri', 'backchannel_logout_uri'],
  ['frontchannelLogoutUri', 'frontchannel_logout_uri'],
];
const FLAG_FIELDS: [keyof typeof CLIENT_LOGOUT_FIELDS, string][] = [
  ['backchannelLogoutSessionRequired', 'backchannel_logout_session_required'],
  ['frontchannelLogoutSessionRequired', 'frontchannel_logout_session_required'],
];

/**
 * Both specifications: an absolute http(s) URL, query allowed, no fragment. The provider
 * itself POSTs to the back-channel URI, so that one must pass the outbound policy
 * (src/outbound/); the front-channel URI is only loaded by the user's browser.
 */
function logoutUri(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 2000) throw new InputError(field, 'must be a URL of at most 2000 characters');
  const url = parseAbsoluteUrl(value, field);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InputError(field, 'must be an http(s) URL');
  if (url.hash || value.includes('#')) throw new InputError(field, 'must not contain a fragment');
  if (field === 'backchannelLogoutUri') outboundInput(url, field, 'backchannel_logout');
  return value;
}

/**
 * Validates the logout metadata of a change, given under the registration names (null
 * removes a value; a removed flag means false). Error fields use the admin API's names.
 */
export function validateLogoutMetadata(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, name] of URI_FIELDS) {
    if (!(name in patch)) continue;
    const v = patch[name];
    out[name] = v === null || v === undefined ? null : logoutUri(v, field);
  }
  for (const [field, name] of FLAG_FIELDS) {
    if (!(name in patch)) continue;
    const v = patch[name];
    if (v !== null && v !== undefined && typeof v !== 'boolean') throw new InputError(field, 'must be a boolean');
    out[name] = v ?? null;
  }
  return out;
}

const parsed = new WeakMap<ClientRecord, ClientLogoutMetadata>();

/** The logout metadata of a client record (parsed once per cached record). */
export function clientLogoutMetadata(client: ClientRecord): ClientLogoutMetadata {
  let m = parsed.get(client);
  if (m) return m;
  const meta = clientMetadataJson(client);
  const uri = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  m = {
    backchannelLogoutUri: uri(meta.backchannel_logout_uri),
    backchannelLogoutSessionRequired: meta.backchannel_logout_session_required === true,
    frontchannelLogoutUri: uri(meta.frontchannel_logout_uri),
    frontchannelLogoutSessionRequired: meta.frontchannel_logout_session_required === true,
  };
  parsed.set(client, m);
  return m;
}
