import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { createClient } from '../services/clients.js';
import { createTenant } from '../services/tenants.js';
import { createUser } from '../services/users.js';
import type { Runtime } from '../services/runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

const demoFile = z.object({
  slug: z.string(),
  displayName: z.string(),
  branding: z.object({ logoUrl: z.string().optional(), primaryColor: z.string().optional() }).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  clients: z
    .array(
      z.object({
        clientId: z.string(),
        name: z.string(),
        clientType: z.enum(['CONFIDENTIAL', 'PUBLIC']),
        redirectUris: z.array(z.string()).default([]),
        postLogoutRedirectUris: z.array(z.string()).optional(),
        grantTypes: z.array(z.string()).optional(),
        responseTypes: z.array(z.string()).optional(),
        scopes: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  users: z.array(z.object({ username: z.string(), password: z.string(), claims: z.record(z.string(), z.unknown()).optional() })).default([]),
});

export interface DemoTenant {
  tenant: TenantContext;
  clientSecrets: Record<string, string>;
  users: { username: string; password: string }[];
}

/**
 * Development convenience: creates (idempotently) the demo tenant of tenants/demo.yaml
 * directly through the services. Operators apply tenant files with `npm run onboard`,
 * which goes through the GraphQL API.
 */
export async function ensureDemoTenant(rt: Runtime, file: string): Promise<DemoTenant> {
  const spec = demoFile.parse(parse(readFileSync(file, 'utf8')));
  let tenant = await rt.tenants.get(spec.slug);
  if (!tenant) tenant = await createTenant(rt, { slug: spec.slug, displayName: spec.displayName, branding: spec.branding, settings: spec.settings as never });

  const secretsFile = join(rt.config.dataDir, 'demo-client-secrets.json');
  const secrets: Record<string, string> = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>) : {};
  for (const c of spec.clients) {
    if (await tenant.store.clients.findByClientId(c.clientId)) continue;
    const { clientId, ...metadata } = c;
    const created = await createClient(rt, tenant, metadata, { clientId });
    if (created.clientSecret) secrets[clientId] = created.clientSecret;
  }
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  for (const u of spec.users) {
    if (!(await tenant.store.users.findByUsername(u.username))) await createUser(tenant, u);
  }
  return { tenant: (await rt.tenants.get(spec.slug))!, clientSecrets: secrets, users: spec.users.map(({ username, password }) => ({ username, password })) };
}
