import type { ClientRecord } from './client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { InputError } from '../errors/domain-errors.js';
import { parseAbsoluteUrl } from '../outbound/url-input.js';
import { clientMetadataJson } from './client-metadata-json.js';

/**
 * The descriptive RFC 7591 metadata of a client (its home page, logo, terms, policy and
 * contacts), kept in the record's `metadata` JSON under their RFC 7591 names so that the
 * admin API and dynamic registration store them the same way.
 */
export const CLIENT_INFO_FIELDS = {
  clientUri: 'client_uri',
  logoUri: 'logo_uri',
  tosUri: 'tos_uri',
  policyUri: 'policy_uri',
  contacts: 'contacts',
} as const;

export interface ClientInfo {
  clientUri: string | null;
  logoUri: string | null;
  tosUri: string | null;
  policyUri: string | null;
  contacts: string[];
}

function httpUrl(value: unknown, field: string): string {
  const url = parseAbsoluteUrl(value, field);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InputError(field, 'must be an http(s) URL');
  return value as string;
}

/**
 * Validates the descriptive metadata of a change, given under RFC 7591 names (null
 * removes a value). Error fields use the admin API's names.
 */
export function validateClientInfo(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(CLIENT_INFO_FIELDS)) {
    if (!(name in patch)) continue;
    const v = patch[name];
    if (v === null || v === undefined) {
      out[name] = null;
    } else if (name === 'contacts') {
      if (!Array.isArray(v) || v.length > 20) throw new InputError(field, 'must be a list of at most 20 contacts');
      for (const c of v)
        if (typeof c !== 'string' || !c.trim() || c.length > 320) throw new InputError(field, 'each contact must be 1-320 characters');
      out[name] = [...new Set((v as string[]).map((c) => c.trim()))];
    } else {
      out[name] = httpUrl(v, field);
    }
  }
  return out;
}

const parsed = new WeakMap<ClientRecord, ClientInfo>();

export function clientInfo(client: ClientRecord): ClientInfo {
  let info = parsed.get(client);
  if (info) return info;
  const meta = clientMetadataJson(client);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  info = {
    clientUri: str(meta.client_uri),
    logoUri: str(meta.logo_uri),
    tosUri: str(meta.tos_uri),
    policyUri: str(meta.policy_uri),
    contacts: Array.isArray(meta.contacts) ? meta.contacts.filter((c): c is string => typeof c === 'string') : [],
  };
  parsed.set(client, info);
  return info;
}

/** A client may only use grant types its tenant allows (tenant setting allowedGrantTypes). */
export function checkTenantGrantTypes(tenant: TenantContext, grantTypes: readonly string[], field = 'grantTypes'): void {
  const refused = grantTypes.filter((g) => !tenant.settings.allowedGrantTypes.includes(g));
  if (refused.length) throw new InputError(field, `the tenant does not allow: ${refused.map((g) => `"${g}"`).join(', ')}`);
}
