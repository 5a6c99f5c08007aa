import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_SCOPE, SYSTEM_TENANT } from '../admin/authz.js';
import { createClient, rotateClientSecret, setClientDisabled, updateClient } from '../clients/clients.js';
import { createTenant } from '../tenancy/tenant-creation.js';
import { ConflictError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export interface AdminCredentials {
  /** Null: no admin client was made (an external database and no GATEHOUSE_ADMIN_CLIENT_ID/SECRET). */
  clientId: string | null;
  /**
   * Only a secret this start generated on the development database, to be shown once.
   * Never the operator's GATEHOUSE_ADMIN_CLIENT_SECRET: a secret the operator supplied is
   * never printed (start output ends up in log systems).
   */
  clientSecret: string | null;
  generated: boolean;
  /** The credentials come from GATEHOUSE_ADMIN_CLIENT_ID/SECRET. */
  fromEnvironment: boolean;
  /** Development database: where generated credentials are kept (0600) for later starts. */
  credentialsFile: string | null;
}

export async function ensureSystemTenant(rt: Runtime): Promise<TenantContext> {
  const existing = await rt.tenants.get(SYSTEM_TENANT);
  if (existing) return existing;
  try {
    return await createTenant(rt, { slug: SYSTEM_TENANT, displayName: 'Gatehouse platform' }, { allowReserved: true });
  } catch (err) {
    // Another replica starting at the same moment made it first.
    const made = err instanceof ConflictError ? await rt.tenants.get(SYSTEM_TENANT) : null;
    if (made) return made;
    throw err;
  }
}

const ADMIN_CLIENT = {
  name: 'Platform admin (bootstrap)',
  clientType: 'CONFIDENTIAL' as const,
  redirectUris: [],
  grantTypes: ['client_credentials'],
  responseTypes: [],
  scopes: [PLATFORM_SCOPE],
  tokenEndpointAuthMethod: 'client_secret_basic',
};

/** Development only: generated credentials are remembered so every `npm start` can print them. */
function devCredentialsFile(rt: Runtime): string | null {
  return rt.config.mongodbUri ? null : join(rt.config.dataDir, 'admin-credentials.json');
}

/**
 * Creates or updates the bootstrap platform-admin client (docs/administering.md "Getting an admin token"). With
 * GATEHOUSE_ADMIN_CLIENT_ID/SECRET set, the client matches them on every start (enabled,
 * with the admin scope, that secret); unset, on the development database credentials are
 * generated on first start (printed once, kept in the data folder); on an external
 * database none are made (set the variables).
 */
export async function ensureAdminClient(rt: Runtime, system: TenantContext): Promise<AdminCredentials> {
  const { adminClientId, adminClientSecret } = rt.config;
  if (adminClientId && adminClientSecret) {
    const existing = await system.store.clients.findByClientId(adminClientId);
    if (!existing) {
      await createClient(rt, system, ADMIN_CLIENT, { clientId: adminClientId, clientSecret: adminClientSecret });
    } else {
      // The configured credentials are the break-glass: they work again after every start.
      if (existing.disabled) {
        await setClientDisabled(rt, system, adminClientId, false);
        rt.log.warn(
          { clientId: adminClientId },
          'the bootstrap admin client was disabled; enabled again because GATEHOUSE_ADMIN_CLIENT_ID/SECRET name it',
        );
      }
      await updateClient(rt, system, adminClientId, {
        scopes: [...new Set([...existing.scopes, PLATFORM_SCOPE])],
        grantTypes: ['client_credentials'],
      });
      if (!existing.secretHash || !rt.envelope.verifySecret(adminClientSecret, existing.secretHash)) {
        await rotateClientSecret(rt, system, adminClientId, adminClientSecret);
      }
    }
    return { clientId: adminClientId, clientSecret: null, generated: false, fromEnvironment: true, credentialsFile: null };
  }

  const file = devCredentialsFile(rt);
  const none = { clientSecret: null, generated: false, fromEnvironment: false };
  if (file && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { clientId: string; clientSecret: string };
    const client = await system.store.clients.findByClientId(saved.clientId);
    if (client?.secretHash && rt.envelope.verifySecret(saved.clientSecret, client.secretHash))
      return { ...none, clientId: saved.clientId, credentialsFile: file };
  }
  const marker = await system.store.clients.list({ first: 100 });
  const bootstrap = marker.items.find((c) => c.name === ADMIN_CLIENT.name);
  if (bootstrap) return { ...none, clientId: bootstrap.clientId, credentialsFile: null };
  // A generated secret is printed once, and only on the development database: on a real
  // database it would land in the platform's logs. There the operator chooses one.
  if (!file) return { ...none, clientId: null, credentialsFile: null };

  const clientId = `admin-${randomBytes(6).toString('hex')}`;
  const { clientSecret } = await createClient(rt, system, ADMIN_CLIENT, { clientId });
  writeFileSync(file, JSON.stringify({ clientId, clientSecret }, null, 2) + '\n', { mode: 0o600 });
  return { clientId, clientSecret, generated: true, fromEnvironment: false, credentialsFile: file };
}
