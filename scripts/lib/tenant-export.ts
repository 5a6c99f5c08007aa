import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import type { TenantFile, TenantFileClient } from '../../src/tenant-files/tenant-file.js';
import { CLIENT_KEYS, desiredClient } from './tenant-plan.js';
import { exportExtensions } from './tenant-plan-extensions.js';
import { exportResourceServers } from './tenant-plan-resources.js';
import type { CurrentTenant } from './tenant-state.js';

/**
 * A tenant back as a tenant file: only what differs from the defaults, and never a
 * secret or a password (those are not readable through the API anyway). Applying the
 * export to the same Gatehouse changes nothing.
 */
export function exportTenant(t: CurrentTenant): TenantFile {
  const file: TenantFile = { slug: t.slug, displayName: t.displayName };
  const branding = Object.fromEntries(Object.entries(t.branding).filter(([, v]) => v !== null)) as TenantFile['branding'];
  if (branding && Object.keys(branding).length) file.branding = branding;
  if (t.overriddenSettings.length) file.settings = Object.fromEntries(t.overriddenSettings.map((k) => [k, t.settings[k]]));
  if (t.scopes.length) {
    file.scopes = t.scopes.map((s) => ({
      name: s.name,
      ...(s.displayName !== s.name ? { displayName: s.displayName } : {}),
      ...(s.description ? { description: s.description } : {}),
      ...(s.claims.length ? { claims: s.claims } : {}),
    }));
  }
  Object.assign(file, exportExtensions(t));
  Object.assign(file, exportResourceServers(t));
  if (t.clients.length) file.clients = t.clients.map((c) => exportClient(c, t.settings as TenantFile['settings']));
  if (t.users.length) {
    file.users = t.users.map((u) => ({
      username: u.username,
      ...(Object.keys(u.claims).length ? { claims: u.claims } : {}),
      ...(u.disabled ? { disabled: true } : {}),
    }));
  }
  return file;
}

/** Keeps a field only if leaving it out would give the client a different value. */
function exportClient(c: CurrentTenant['clients'][number], settings: TenantFile['settings']): TenantFileClient {
  const out: Record<string, unknown> = { clientId: c.clientId, name: c.name, clientType: c.clientType };
  if (c.redirectUris.length) out.redirectUris = c.redirectUris;
  const order = ['grantTypes', ...CLIENT_KEYS.filter((k) => k !== 'grantTypes' && k !== 'name' && k !== 'redirectUris')] as const;
  for (const key of order) {
    let implied: unknown;
    try {
      implied = desiredClient(out as unknown as TenantFileClient, settings)[key];
    } catch {
      implied = undefined;
    }
    const value = (c as unknown as Record<string, unknown>)[key];
    if (!isDeepStrictEqual(implied, value)) out[key] = value;
  }
  return out as unknown as TenantFileClient;
}

export function tenantYaml(file: TenantFile): string {
  return `# yaml-language-server: $schema=./tenant.schema.json\n# Exported from Gatehouse; secrets and passwords are never exported.\n${stringify(file, { lineWidth: 0 })}`;
}
