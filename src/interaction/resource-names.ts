import { resourceServersOf } from '../resources/directory.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/** A requested resource server as the consent page shows it. */
export interface ResourceLabel {
  identifier: string;
  /** Its registered name; the identifier when it has none (or was deleted since the request). */
  name: string;
}

/**
 * The names of the resource servers an authorization asks for (RFC 8707 `resource`), read
 * when the page is shown from the tenant's cached directory, so a rename shows at once
 * (docs/token-services.md "Resource indicators", what the user sees).
 */
export async function resourceLabels(tenant: TenantContext, identifiers: readonly string[] | undefined): Promise<ResourceLabel[]> {
  if (!identifiers?.length) return [];
  const servers = await resourceServersOf(tenant);
  return identifiers.map((identifier) => ({ identifier, name: servers.get(identifier)?.name.trim() || identifier }));
}
