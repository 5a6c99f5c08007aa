import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_INFO_FIELDS } from '../clients/client-info.js';
import { createClient } from '../clients/clients.js';
import { replaceScopes } from '../claims/scopes.js';
import { createTenant } from '../tenancy/tenant-creation.js';
import { createUser } from '../users/users.js';
import type { Runtime } from '../runtime.js';
import { loadTenantFile, type TenantFileClient } from '../tenant-files/tenant-file.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export interface DemoTenant {
  tenant: TenantContext;
  clientSecrets: Record<string, string>;
  users: { username: string; password: string }[];
}

/** A tenant-file client as the services' createClient arguments. */
function clientArgs(c: TenantFileClient) {
  const { clientId, accessTokenFormat, subjectType, jwks, jwksUri, ...rest } = c;
  const metadata: Record<string, unknown> = { subject_type: subjectType, jwks, jwks_uri: jwksUri };
  for (const [field, name] of Object.entries(CLIENT_INFO_FIELDS)) {
    metadata[name] = (rest as Record<string, unknown>)[field];
    delete (rest as Record<string, unknown>)[field];
  }
  for (const k of Object.keys(metadata)) if (metadata[k] === undefined) delete metadata[k];
  const input = {
    ...rest,
    redirectUris: rest.redirectUris ?? [],
    accessTokenFormat: accessTokenFormat === 'OPAQUE' ? ('opaque' as const) : ('jwt' as const),
  };
  return { input, opts: { clientId, metadata } };
}

/**
 * Development convenience: creates (idempotently) the demo tenant of tenants/demo.yaml
 * directly through the services, with the same parser and validation as the onboard
 * script. Operators apply tenant files with `npm run onboard`, which goes through the
 * GraphQL API.
 */
export async function ensureDemoTenant(rt: Runtime, file: string): Promise<DemoTenant> {
  const spec = loadTenantFile(file);
  let tenant = await rt.tenants.get(spec.slug);
  if (!tenant) {
    tenant = await createTenant(rt, { slug: spec.slug, displayName: spec.displayName, branding: spec.branding, settings: spec.settings });
    if (spec.scopes?.length) tenant = await replaceScopes(rt, tenant, spec.scopes);
  }

  // The data folder need not exist yet when MONGODB_URI is set (nothing else wrote to it).
  mkdirSync(rt.config.dataDir, { recursive: true });
  const secretsFile = join(rt.config.dataDir, 'demo-client-secrets.json');
  const secrets: Record<string, string> = existsSync(secretsFile)
    ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>)
    : {};
  const save = () => writeFileSync(secretsFile, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  for (const c of spec.clients ?? []) {
    if (await tenant.store.clients.findByClientId(c.clientId)) continue;
    const { input, opts } = clientArgs(c);
    const created = await createClient(rt, tenant, input, opts);
    if (created.clientSecret) {
      secrets[c.clientId] = created.clientSecret;
      // At once: the secret is shown only now, so it must not depend on the rest of the start.
      save();
    }
  }
  save();
  const users: { username: string; password: string }[] = [];
  for (const u of spec.users ?? []) {
    if (!u.password) continue;
    users.push({ username: u.username, password: u.password });
    if (!(await tenant.store.users.findByUsername(u.username)))
      await createUser(tenant, { username: u.username, password: u.password, claims: u.claims });
  }
  return { tenant: (await rt.tenants.get(spec.slug))!, clientSecrets: secrets, users };
}
